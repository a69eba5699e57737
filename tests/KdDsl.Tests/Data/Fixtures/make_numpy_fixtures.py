#!/usr/bin/env python3
"""Writes the NumPy fixtures of NumpyDataTests.cs (run from this folder: python3 make_numpy_fixtures.py).

The values are small and exact so the C# tests can assert them one by one; the outputs are committed, so the tests do not
need NumPy. Written with NumPy 1.24 (Debian 12's python3-numpy).
"""
import numpy as np

x = np.arange(12, dtype=np.float32).reshape(4, 3) * np.float32(0.5) - np.float32(1.0)  # -1.0, -0.5, ..., 4.5
y = np.array([0, 1, 2, 1], dtype=np.int64)
np.save("x_f4.npy", x)
np.save("y_i8.npy", y)
np.save("y_i4.npy", y.astype(np.int32))
np.save("x_f8.npy", np.array([[1.25, -2.5], [3.0, 1e-3]], dtype=np.float64))
images = np.arange(8, dtype=np.uint8).reshape(2, 1, 2, 2) * 30  # 0, 30, ..., 210
np.save("images_u1.npy", images)
np.save("fortran_f4.npy", np.asfortranarray(x))
np.savez("xy.npz", x=x, y=y)  # stored
np.savez_compressed("images_compressed.npz", images=images, labels=np.array([1, 0], dtype=np.int64))  # deflated
# Version 2.0 header: the same array, written with the 4-byte header length.
with open("x_f4_v2.npy", "wb") as f:
    np.lib.format.write_array(f, x, version=(2, 0))
