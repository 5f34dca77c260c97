import Foundation
import Micrograd

/// scikit-learn's 8×8 handwritten digits, split by tools/make-digits.sh into
/// 1,437 training and 360 test images and committed as .npy files: each
/// image a row of 64 pixels (0…16, read as 0…1 here), each label 0…9.
struct Digits {
  /// One split: images `[count, 64]` with values in [0, 1], labels `[count]`.
  struct Split {
    let images: Tensor
    let labels: Tensor
    var count: Int { labels.count }

    /// The rows of `indices`, in that order, as a batch.
    func batch(_ indices: ArraySlice<Int>) -> (images: Tensor, labels: Tensor) {
      let pixels = images.scalars
      let classes = labels.scalars
      var rows: [Float] = []
      rows.reserveCapacity(indices.count * 64)
      for index in indices { rows += pixels[(index * 64)..<((index + 1) * 64)] }
      return (Tensor(rows, shape: [indices.count, 64]), Tensor(indices.map { classes[$0] }))
    }
  }

  let train: Split
  let test: Split

  /// Reads `train-images.npy`, `train-labels.npy`, `test-images.npy` and `test-labels.npy` from `folder`.
  init(folder: String) throws {
    func split(_ name: String) throws -> Split {
      let images = try Tensor(npyFile: folder + "/\(name)-images.npy")
      let labels = try Tensor(npyFile: folder + "/\(name)-labels.npy")
      guard images.shape.rank == 2, images.shape[1] == 64, labels.shape == [images.shape[0]] else {
        throw DigitsError(message: "\(name) images \(images.shape) and labels \(labels.shape) are not [N, 64] and [N]")
      }
      return Split(images: Tensor(images.scalars.map { $0 / 16 }, shape: images.shape), labels: labels)
    }
    train = try split("train")
    test = try split("test")
  }
}

/// The data files are not what the sample expects.
struct DigitsError: Error, CustomStringConvertible {
  let message: String
  var description: String { message }
}
