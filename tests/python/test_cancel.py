"""Ctrl-C, progress callbacks and the GIL during fit()."""

import _thread
import threading
import time

import numpy as np
import pytest
import scipy.sparse as sp

import flowfit as ff


def endless_stage(n=200, iterations=50_000_000):
    """Two inconsistent margins (row total 1, column total 2): never converges, so only the
    iteration cap (far away) or a cancellation ends it."""
    rows = ff.Grouping.whole(n)
    return ff.Stage("endless", [ff.row_margin("r", rows, [1.0], n_cols=n),
                                ff.col_margin("c", rows, [2.0], n_rows=n)], iterations,
                    log_every=1000)


def matrix(n=200):
    return sp.random(n, n, density=0.05, format="csr", random_state=2) + sp.eye(n, format="csr")


def test_ctrl_c_cancels_a_running_fit():
    m = matrix()
    before = m.data.copy()
    seen = []
    timer = threading.Timer(0.5, _thread.interrupt_main)  # what Ctrl-C does to the main thread
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            # The sweeps reach a 2-cycle almost at once and the fixed-point early exit replays
            # them, so the slow callback is what keeps the fit running when Ctrl-C arrives.
            ff.fit(m, endless_stage(),
                   progress=lambda done, total: (seen.append(done), time.sleep(0.001)))
    finally:
        timer.cancel()
    assert seen and seen[-1] < 50_000_000  # it was running, and stopped early
    np.testing.assert_array_equal(m.data, before)  # the input is untouched


def test_progress_callback_sees_every_batch():
    calls = []
    ff.fit(matrix(), endless_stage(iterations=3500), progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (1, 3500) and calls[-1] == (3500, 3500)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_an_exception_in_the_callback_stops_the_fit():
    def stop(done, total):
        if done >= 2000:
            raise RuntimeError("enough")

    with pytest.raises(RuntimeError, match="enough"):
        ff.fit(matrix(), endless_stage(), progress=stop)


def test_progress_true_is_silent_without_tqdm_and_a_bar_with_it(capsys):
    ff.fit(matrix(), endless_stage(iterations=10), progress=True)
    try:
        import tqdm  # noqa: F401
    except ImportError:
        assert capsys.readouterr().err == ""


def test_the_gil_is_released_while_fitting():
    ticks = []
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    m, stage = matrix(), ff.Stage("long", endless_stage().margins, 200_000, log_every=200_000)
    try:
        r = ff.fit(m, stage)
    finally:
        done.set()
        t.join()
    # The sweeps reach a 2-cycle at once and the fixed-point early exit may end the stage in well
    # under a millisecond; only a fit that lasts several GIL switch intervals (5 ms) can show
    # whether the GIL was released.
    elapsed = r.timings["total_s"]  # the engine's own time, without Python's set-up
    if elapsed < 0.05:
        pytest.skip(f"the fit took {elapsed * 1e3:.2f} ms: too short to observe the GIL")
    assert len(ticks) > 5  # the other thread ran during the single long batch
