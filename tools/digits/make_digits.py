"""Writes scikit-learn's 8x8 digits as .npy files for the `digits` sample.

The data set (1,797 images of 8x8 pixels, values 0..16, labels 0..9) ships
inside scikit-learn, so nothing is downloaded at run time. The split is fixed:
`train_test_split(test_size=360, stratify=labels, random_state=0)`, which
leaves 1,437 training images and 360 test images (35 to 37 of each digit).

Writes, into the folder given (samples/digits/data):
  train-images.npy  uint8 [1437, 64]    train-labels.npy  uint8 [1437]
  test-images.npy   uint8 [360, 64]     test-labels.npy   uint8 [360]
"""

import os
import sys

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def main(folder):
    digits = load_digits()
    images = digits.data.astype(np.uint8)  # whole numbers 0..16 stored as float64
    assert (images == digits.data).all() and images.shape == (1797, 64)
    labels = digits.target.astype(np.uint8)
    train_images, test_images, train_labels, test_labels = train_test_split(
        images, labels, test_size=360, stratify=labels, random_state=0
    )
    os.makedirs(folder, exist_ok=True)
    arrays = {
        "train-images": train_images,
        "train-labels": train_labels,
        "test-images": test_images,
        "test-labels": test_labels,
    }
    for name, array in arrays.items():
        np.save(os.path.join(folder, name + ".npy"), np.ascontiguousarray(array))
        print(f"{name}.npy {array.dtype} {list(array.shape)}")
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "samples/digits/data")
