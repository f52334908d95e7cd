"""Plots the chapters share: cost curves, decision boundaries, optimizer paths on 2-D functions."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import nn


def cost_curves(curves: dict, xlabel: str = "iteration", ylabel: str = "cost", title: str = "",
                ax=None, logy: bool = False):
    """One line per entry of `curves` ({label: sequence of costs})."""
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    for label, values in curves.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=label, lw=1.2)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def decision_boundary(predict, X, Y, title: str = "", ax=None, resolution: int = 200):
    """Shade the regions `predict(points (2, k)) -> (1, k)` assigns to each class; dots are data."""
    ax = ax or plt.subplots(figsize=(4, 4))[1]
    pad = 0.5
    xs = np.linspace(X[0].min() - pad, X[0].max() + pad, resolution)
    ys = np.linspace(X[1].min() - pad, X[1].max() + pad, resolution)
    xx, yy = np.meshgrid(xs, ys)
    zz = predict(np.vstack([xx.ravel(), yy.ravel()])).reshape(xx.shape)
    ax.contourf(xx, yy, zz, alpha=0.3, cmap="coolwarm")
    ax.scatter(X[0], X[1], c=Y.ravel(), cmap="coolwarm", s=10, edgecolors="k", linewidths=0.3)
    ax.set(title=title, xticks=[], yticks=[])
    return ax


def decision_boundaries(parameter_sets: dict, X, Y, axes=None, digits: int = 1):
    """One decision-boundary panel per entry of `parameter_sets` ({label: parameters of a
    `course.nn` network}), each titled with its training accuracy. Returns the axes."""
    if axes is None:
        n = len(parameter_sets)
        axes = plt.subplots(1, n, figsize=(4 * n, 3.8), squeeze=False)[1][0]
    for ax, (label, parameters) in zip(axes, parameter_sets.items()):
        with np.errstate(over="ignore"):  # large weights saturate the sigmoid: that is the point
            acc = nn.accuracy(X, Y, parameters)
            decision_boundary(lambda P, w=parameters: nn.predict(P, w), X, Y, ax=ax,
                              title=f"{label}: accuracy {acc:.{digits}%}")
    return axes


def contour_paths(f, paths: dict, xlim=(-8, 8), ylim=(-3, 3), title: str = "", ax=None,
                  levels: int = 30):
    """Contours of `f(p) -> (value, grad)` with one optimizer path per entry of `paths`."""
    ax = ax or plt.subplots(figsize=(7, 3.5))[1]
    xs, ys = np.linspace(*xlim, 300), np.linspace(*ylim, 200)
    xx, yy = np.meshgrid(xs, ys)
    zz = f((xx, yy))[0]
    ax.contour(xx, yy, zz, levels=levels, cmap="Greys", linewidths=0.6)
    for label, path in paths.items():
        path = np.asarray(path)
        ax.plot(path[:, 0], path[:, 1], ".-", ms=3, lw=1, label=label)
    ax.plot(*paths[next(iter(paths))][0], "ko", ms=5)
    ax.set(xlim=xlim, ylim=ylim, title=title, xlabel="x", ylabel="y")
    ax.legend(loc="upper right", fontsize=8)
    return ax
