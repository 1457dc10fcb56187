"""``keras.optimizers.Optimizer``: the base class of SGD, Adam, RMSprop ... (Keras 3 semantics).

An optimizer turns gradients into variable updates. ``apply_gradients(zip(grads, vars))``:

1. on the first call, ``build(vars)`` creates the per-variable state ("slots", e.g. Adam's
   moments) — inside a ``tf.function`` these variables are lifted out of the trace;
2. drops variables whose gradient is None (with a warning), clips the gradients
   (``clipnorm`` / ``clipvalue`` / ``global_clipnorm``), applies ``weight_decay``;
3. calls ``update_step(grad, var, learning_rate)`` — a few lines of math per optimizer;
4. adds 1 to ``iterations``.

The learning rate lives in a variable, so changing it (``opt.learning_rate = 0.01``) does not
retrace a ``tf.function``; it may also be a schedule, called with ``iterations``.

>>> import tinyflow as tf
>>> w = tf.Variable(2.0)
>>> opt = tf.keras.optimizers.SGD(learning_rate=0.1)
>>> with tf.GradientTape() as tape:
...     loss = w * w
>>> _ = opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
>>> w.numpy(), opt.iterations.numpy()    # w -= 0.1 * 2w
(np.float32(1.6), np.int64(1))
"""
from __future__ import annotations

import numbers
import re
import warnings

import tinyflow as tf
from tinyflow.eager.tape import GradientTape
from tinyflow.framework import dtypes
from tinyflow.framework.dispatch import convert_to_tensor
from tinyflow.framework.graph import name_scope
from tinyflow.keras import backend, initializers
from tinyflow.keras.optimizers import schedules
from tinyflow.variables import Variable


class Optimizer:
    """Base optimizer. Subclasses implement ``build(var_list)`` and ``update_step(gradient, variable, lr)``.

    Args:
      learning_rate: a float, a ``LearningRateSchedule``, or a function of no arguments.
      weight_decay: if set, ``var -= var * weight_decay * lr`` before each update (decoupled decay).
      clipnorm: clip each gradient to this L2 norm.
      clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
      global_clipnorm: clip all gradients together so that their global L2 norm is at most this.
      loss_scale_factor: gradients are divided by it (use ``scale_loss`` on the loss).
      name: prefix of the optimizer's variable names.
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema: bool = False, ema_momentum: float = 0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name: str | None = None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.", stacklevel=2)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if use_ema or gradient_accumulation_steps:
            raise NotImplementedError("tinyflow's optimizers do not implement `use_ema` or "
                                      "`gradient_accumulation_steps`.")
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                             f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        self.name = name or backend.unique_name(_snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_momentum, self.ema_overwrite_frequency = use_ema, ema_momentum, ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables: list[Variable] = []
        self._trainable_variables: list = []
        self._index: dict[int, int] = {}  # id(model variable) -> its position in build()'s list
        self._exclude_ids: set[int] = set()
        self._exclude_pattern = None
        self._iterations = self.add_variable((), initializer="zeros", dtype="int64", name="iteration")
        if isinstance(learning_rate, schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        else:
            _check_float("learning_rate", learning_rate)
            self._learning_rate = self.add_variable((), initializer=float(learning_rate), dtype="float32",
                                                    name="learning_rate")

    # -- state ----------------------------------------------------------------------------------------
    @property
    def iterations(self) -> Variable:
        """The number of update steps applied so far (an int64 variable)."""
        return self._iterations

    @property
    def variables(self) -> list:
        """Every variable of the optimizer: iterations, learning rate, then the slots."""
        return self._variables[:]

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation: str = "mean",
                     name: str | None = None) -> Variable:
        """A non-trainable state variable, filled by ``initializer`` (a name such as ``"zeros"``, a
        number, or an initializer)."""
        dtype = dtypes.as_dtype(dtype or "float32")
        shape = tuple(shape)
        init = initializers.Constant(initializer) if isinstance(initializer, numbers.Number) \
            else initializers.get(initializer)
        # a callable initial value runs outside any tf.function being traced (slots are built lazily)
        variable = Variable(lambda: init(shape, dtype=dtype), trainable=False, dtype=dtype,
                            name=f"{self.name}/{name or 'variable'}")
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(self, reference_variable, name: str | None = None,
                                    initializer="zeros") -> Variable:
        """A state variable with the shape and dtype of ``reference_variable`` (e.g. its momentum)."""
        base = reference_variable.name.split(":")[0].replace("/", "_")
        return self.add_variable(reference_variable.shape.as_list(), initializer=initializer,
                                 dtype=reference_variable.dtype, name=f"{base}_{name or 'var'}")

    def add_optimizer_variables(self, trainable_variables, name: str, initializer="zeros") -> list:
        """One state variable per trainable variable (Keras 3's helper for ``build``)."""
        return [self.add_variable_from_reference(v, name, initializer) for v in trainable_variables]

    def build(self, variables) -> None:
        """Remember the variables this optimizer updates; subclasses then create their slots."""
        self._trainable_variables = list(variables)
        self._index = {id(v): i for i, v in enumerate(self._trainable_variables)}
        self.built = True

    def _get_variable_index(self, variable) -> int:
        return self._index[id(variable)]

    # -- learning rate ----------------------------------------------------------------------------------
    @property
    def learning_rate(self):
        """The current learning rate: a variable, or a schedule's value at ``iterations``."""
        return self._get_current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, learning_rate) -> None:
        if isinstance(learning_rate, schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
            return
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as its "
                            "`learning_rate` constructor argument, hence its learning rate is not settable. If "
                            "you need the learning rate to be settable, you should instantiate the optimizer "
                            "with a float `learning_rate` argument.")
        _check_float("learning_rate", learning_rate)
        if isinstance(self._learning_rate, Variable):
            self._learning_rate.assign(float(learning_rate))
        else:
            self._learning_rate = self.add_variable((), initializer=float(learning_rate), dtype="float32",
                                                    name="learning_rate")

    def _get_current_learning_rate(self):
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            return self._learning_rate(self._iterations)
        if callable(self._learning_rate):
            return self._learning_rate()
        return self._learning_rate

    # -- applying gradients -------------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Apply ``[(gradient, variable), ...]`` (e.g. ``zip(grads, model.trainable_variables)``).
        Returns ``iterations``."""
        grads_and_vars = list(grads_and_vars)
        if grads_and_vars:
            grads, variables = zip(*grads_and_vars)
            self.apply(grads, variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None) -> None:
        """Update ``trainable_variables`` (default: those of ``build``) with ``grads``, one-to-one."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built "
                                 "on a list of variables. Call `optimizer.build(trainable_variables)` first.")
            if len(grads) != len(self._trainable_variables):
                raise ValueError(f"When passing `grads` as a list of gradient tensors, the gradients must match "
                                 f"`optimizer.variables` one-to-one. Received a list of {len(grads)} gradients, "
                                 f"but the optimizer is tracking {len(self._trainable_variables)} trainable "
                                 "variables.")
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(trainable_variables)
            self._check_variables_are_known(trainable_variables)
        with name_scope(self.name):
            grads, trainable_variables = self._filter_empty_gradients(grads, trainable_variables)
            if self.loss_scale_factor is not None:
                grads = [g / self.loss_scale_factor for g in grads]
            grads = self._clip_gradients(grads)
            learning_rate = self._learning_rate_value()
            self._apply_weight_decay(trainable_variables, learning_rate)
            for grad, variable in zip(grads, trainable_variables):
                self.update_step(grad, variable, learning_rate)
            self._iterations.assign_add(1)
            for variable in trainable_variables:
                if getattr(variable, "constraint", None) is not None:
                    variable.assign(variable.constraint(variable))

    def update_step(self, gradient, variable, learning_rate) -> None:
        """Update one variable (and its slots) from its gradient. Subclasses implement this."""
        raise NotImplementedError

    def _learning_rate_value(self):
        """The learning rate as a tensor, read once per step (one read op inside tf.function)."""
        lr = self._get_current_learning_rate()
        return lr.value() if isinstance(lr, Variable) else convert_to_tensor(lr)

    def _check_variables_are_known(self, variables) -> None:
        for v in variables:
            if id(v) not in self._index:
                raise ValueError(f"Unknown variable: {v}. This optimizer can only be called for the variables it "
                                 "was originally built with. When working with a new set of variables, you should "
                                 "recreate a new optimizer instance.")

    def _filter_empty_gradients(self, grads: list, variables: list) -> tuple:
        kept = [(g if isinstance(g, tf.Tensor) else convert_to_tensor(g), v)
                for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        if len(kept) < len(grads):
            missing = [v.name for g, v in zip(grads, variables) if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the loss. If using "
                          "`model.compile()`, did you forget to provide a `loss` argument?", stacklevel=3)
        return [g for g, _ in kept], [v for _, v in kept]

    def _clip_gradients(self, grads: list) -> list:
        if self.clipnorm and self.clipnorm > 0:
            return [tf.clip_by_norm(g, self.clipnorm) for g in grads]  # g · c / max(‖g‖, c)
        if self.global_clipnorm and self.global_clipnorm > 0:
            return tf.clip_by_global_norm(grads, self.global_clipnorm)[0]  # every g · c / max(‖all g‖, c)
        if self.clipvalue and self.clipvalue > 0:
            return [tf.clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Skip weight decay for ``var_list`` and for variables whose name contains one of ``var_names``."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the optimizer is built.")
        self._exclude_ids = {id(v) for v in var_list or []}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        return not (self._exclude_pattern is not None and self._exclude_pattern.search(variable.name))

    def _apply_weight_decay(self, variables: list, learning_rate) -> None:
        if self.weight_decay is None:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                lr = tf.cast(learning_rate, variable.dtype)
                wd = tf.cast(self.weight_decay, variable.dtype)
                variable.assign(variable - variable * wd * lr)  # decoupled weight decay

    # -- the TF2 guide's helpers ------------------------------------------------------------------------
    def minimize(self, loss, var_list, tape: GradientTape | None = None) -> None:
        """Compute the gradients of ``loss`` (a function of no arguments, or a tensor recorded on
        ``tape``) with respect to ``var_list`` and apply them."""
        grads_and_vars = self.compute_gradients(loss, var_list, tape)
        self.apply_gradients(grads_and_vars)

    def compute_gradients(self, loss, var_list, tape: GradientTape | None = None) -> list:
        """``[(gradient, variable), ...]`` as ``tf.keras`` computes them for ``minimize``."""
        if not callable(loss) and tape is None:
            raise ValueError(f"`tape` is required when a `Tensor` loss is passed. Received: loss={loss}, "
                             f"tape={tape}.")
        if tape is None:
            tape = GradientTape()
        if callable(loss):
            with tape:
                if not callable(var_list):
                    tape.watch(var_list)
                loss = loss()
                if callable(var_list):
                    var_list = var_list()
        var_list = list(var_list)
        return list(zip(tape.gradient(loss, var_list), var_list))

    def scale_loss(self, loss):
        """``loss * loss_scale_factor`` (mixed-precision style scaling), or ``loss`` unchanged."""
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss

    # -- config ---------------------------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments, so that ``type(opt).from_config(opt.get_config())`` rebuilds it."""
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            learning_rate = schedules.serialize(self._learning_rate)
        elif isinstance(self._learning_rate, Variable):
            learning_rate = float(self._learning_rate.numpy())
        else:
            learning_rate = self._learning_rate
        return {"name": self.name, "learning_rate": learning_rate, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _check_float(what: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"Argument `{what}` should be float, or an instance of LearningRateSchedule, or a callable "
                         "(that takes in the current iteration value and returns the corresponding learning rate "
                         f"value). Received instead: {what}={value!r}")


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
