// Embedding: a trainable lookup table, like PyTorch's nn.Embedding.

/// A table of `count` trainable vectors of `dimension` values, looked up by
/// index: `model(indices)` has shape `indices.shape + [dimension]`, like
/// PyTorch's `nn.Embedding`.
///
/// The weight starts standard normal, PyTorch's default initialisation.
public final class Embedding: Module {
  /// The table, shape `[count, dimension]`.
  public let weight: Tensor

  /// The number of vectors (valid indices are `0..<count`).
  public var count: Int { weight.shape[0] }
  /// The length of each vector.
  public var dimension: Int { weight.shape[1] }

  /// Creates a layer from an existing table of shape `[count, dimension]`.
  public init(weight: Tensor, file: StaticString = #fileID, line: UInt = #line) {
    if weight.shape.rank != 2 {
      fail(
        TensorError(
          op: "embedding", message: "weight \(weight.shape) must be [count, dimension]",
          location: CallSite(file, line).location))
    }
    self.weight = weight
  }

  /// Creates a table of `count` vectors of `dimension` values drawn from `generator`.
  public convenience init(_ count: Int, _ dimension: Int, generator: inout RandomGenerator) {
    self.init(weight: Tensor.normal([count, dimension], requiresGrad: true, generator: &generator))
  }

  /// Creates a table of `count` vectors of `dimension` values drawn from the
  /// default generator (see ``manualSeed(_:)``).
  public convenience init(_ count: Int, _ dimension: Int) {
    self.init(weight: Tensor.normal([count, dimension], requiresGrad: true))
  }

  /// The vectors named by `indices` (floats holding integers in `0..<count`).
  public override func forward(_ indices: Tensor) -> Tensor {
    EmbeddingLookup(indices, weight, site: .fromOperator)
  }
}
