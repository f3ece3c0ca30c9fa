"""Pausing the cyclic garbage collector while a function builds many objects."""

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def gc_paused(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` with the cyclic collector paused, restoring its state after.

    Scoring a national round allocates about a million tuples, lists and dataclasses,
    none in a reference cycle. Each allocation burst triggers collections that walk
    every live object, which took a third of the run time in bench/results_engine.py.
    Memory is still freed by reference counting; only cycle detection waits.
    """

    @functools.wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused
