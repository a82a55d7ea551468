"""Bytes of an explorable figure: matplotlib's ``to_jshtml`` player against regcore's SVG player.

    python benchmarks/explorable_size.py

Five frames of a figure like the book's explorable ones (20 seeds' curves of 1000 epochs, 8 in
wide, house style); to_jshtml at the book's raster density (200 dpi, sharp on a 2x screen).
The reason regcore.figures.explorable does not use to_jshtml (see its docstring).
"""
import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402

from regcore.figures.explorable import explorable_html, svg_frames  # noqa: E402
from regcore.figures.style import RASTER_DPI, use_book_style  # noqa: E402

FRAMES = 5
EPOCHS = np.arange(1000)


def draw_on(ax, k):
    ax.clear()
    for seed in range(20):
        ax.plot(EPOCHS, np.exp(-EPOCHS / (200 + 40 * k)) + 0.01 * seed + 0.1, lw=0.8)
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation loss")


def main():
    use_book_style()
    fig, ax = plt.subplots(figsize=(8, 3.5))
    anim = FuncAnimation(fig, lambda k: draw_on(ax, k), frames=FRAMES)
    with matplotlib.rc_context({"savefig.dpi": RASTER_DPI}):
        jshtml = anim.to_jshtml()
    plt.close(fig)

    def draw(k):
        f, a = plt.subplots(figsize=(8, 3.5))
        draw_on(a, k)
        return f

    ours = explorable_html("bench", svg_frames(draw, range(FRAMES)),
                           [f"k = {k}" for k in range(FRAMES)], control="slider",
                           control_label="k", alt="Benchmark curves.")
    a, b = len(jshtml.encode()), len(ours.encode())
    print(f"{FRAMES} frames: to_jshtml (PNG, {RASTER_DPI} dpi) {a / 1e6:.2f} MB, "
          f"regcore SVG player {b / 1e6:.2f} MB, ratio {a / b:.1f}")


if __name__ == "__main__":
    main()
