// Linear: the affine layer y = x·Wᵀ + b.

/// An affine layer, `y = x·Wᵀ + b`, like PyTorch's `nn.Linear`.
///
/// The weight is stored as PyTorch stores it, `[outFeatures, inFeatures]`,
/// so weights move between the two unchanged; ``forward(_:)`` reads it
/// transposed inside the matrix product (no transposed copy, forward or
/// backward). Both weight and bias start uniform in ±1/√inFeatures, PyTorch's
/// default initialisation.
public final class Linear: Module {
  /// The weight, shape `[outFeatures, inFeatures]`.
  public let weight: Tensor
  /// The bias, shape `[outFeatures]`, or nil for a layer without one.
  public let bias: Tensor?

  /// The size of each input (the last axis of `x`).
  public var inFeatures: Int { weight.shape[1] }
  /// The size of each output.
  public var outFeatures: Int { weight.shape[0] }

  /// Creates a layer from existing parameters: `weight` of shape
  /// `[outFeatures, inFeatures]` and an optional `bias` of shape `[outFeatures]`.
  public init(weight: Tensor, bias: Tensor?, file: StaticString = #fileID, line: UInt = #line) {
    if weight.shape.rank != 2 || (bias.map { $0.shape != [weight.shape[0]] } ?? false) {
      let biasShape = bias.map { "\($0.shape)" } ?? "none"
      fail(
        TensorError(
          op: "linear", message: "weight \(weight.shape) must be [out, in] and bias \(biasShape) [out]",
          location: CallSite(file, line).location))
    }
    self.weight = weight
    self.bias = bias
  }

  /// Creates a layer from `inFeatures` to `outFeatures` with PyTorch's
  /// initialisation drawn from `generator` (weight first, then bias).
  public convenience init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: inout RandomGenerator) {
    let (weight, bias) = Self.initialParameters(inFeatures, outFeatures, bias: bias, generator: &generator)
    self.init(weight: weight, bias: bias)
  }

  /// Creates a layer from `inFeatures` to `outFeatures` with PyTorch's
  /// initialisation drawn from the default generator (see ``manualSeed(_:)``).
  public convenience init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
    let (weight, bias) = RandomGenerator.shared.withLock {
      Self.initialParameters(inFeatures, outFeatures, bias: bias, generator: &$0)
    }
    self.init(weight: weight, bias: bias)
  }

  /// `x·Wᵀ + b` for `x` of shape `[…, inFeatures]`.
  public override func forward(_ x: Tensor) -> Tensor {
    if x.shape.rank == 0 || x.shape[x.shape.rank - 1] != inFeatures {
      fail(
        TensorError(
          op: "linear", message: "input \(x.shape) does not end in \(inFeatures) features (weight \(weight.shape))",
          location: CallSite.fromOperator.location))
    }
    let product = matmul(x, weight, transposeB: true)
    guard let bias else { return product }
    return product + bias
  }

  /// A weight and bias uniform in ±1/√inFeatures, as `nn.Linear.reset_parameters` draws them.
  private static func initialParameters(
    _ inFeatures: Int, _ outFeatures: Int, bias: Bool, generator: inout RandomGenerator
  ) -> (Tensor, Tensor?) {
    let bound = 1 / Float(inFeatures).squareRoot()
    let weight = Tensor.uniform(
      [outFeatures, inFeatures], low: -bound, high: bound, requiresGrad: true, generator: &generator)
    let bias =
      bias ? Tensor.uniform([outFeatures], low: -bound, high: bound, requiresGrad: true, generator: &generator) : nil
    return (weight, bias)
  }
}
