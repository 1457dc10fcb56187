"""``keras.callbacks``: hooks into ``fit``/``evaluate``/``predict`` — history, progress bar, early stopping,
checkpoints, NaN guard, learning-rate schedules.

>>> from tinyflow import keras
>>> stop = keras.callbacks.EarlyStopping(monitor="loss", patience=2)
"""
from tinyflow.keras.callbacks.callback import Callback
from tinyflow.keras.callbacks.callback_list import CallbackList
from tinyflow.keras.callbacks.early_stopping import EarlyStopping
from tinyflow.keras.callbacks.history import History
from tinyflow.keras.callbacks.lambda_callback import LambdaCallback
from tinyflow.keras.callbacks.learning_rate_scheduler import LearningRateScheduler
from tinyflow.keras.callbacks.model_checkpoint import ModelCheckpoint
from tinyflow.keras.callbacks.progbar_logger import ProgbarLogger
from tinyflow.keras.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from tinyflow.keras.callbacks.terminate_on_nan import TerminateOnNaN
