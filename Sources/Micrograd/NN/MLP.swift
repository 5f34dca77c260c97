// MLP: micrograd's multi-layer perceptron.

/// A multi-layer perceptron: ``Linear`` layers with a ReLU after every layer
/// but the last, as in micrograd's `MLP` (the last layer is linear, so its
/// outputs are scores).
public final class MLP: Module {
  /// The layers, input side first; parameters are named `layers.0.weight`, ….
  public let layers: [Linear]

  /// Creates a perceptron from `inFeatures` through layers of `sizes`
  /// outputs, initialised from `generator`: `MLP(2, [16, 16, 1])`.
  public convenience init(_ inFeatures: Int, _ sizes: [Int], generator: inout RandomGenerator) {
    self.init(layers: Self.makeLayers(inFeatures, sizes, generator: &generator))
  }

  /// Creates a perceptron from `inFeatures` through layers of `sizes`
  /// outputs, initialised from the default generator (see ``manualSeed(_:)``).
  public convenience init(_ inFeatures: Int, _ sizes: [Int]) {
    self.init(layers: RandomGenerator.shared.withLock { Self.makeLayers(inFeatures, sizes, generator: &$0) })
  }

  private init(layers: [Linear]) {
    self.layers = layers
  }

  private static func makeLayers(_ inFeatures: Int, _ sizes: [Int], generator: inout RandomGenerator) -> [Linear] {
    let widths = [inFeatures] + sizes
    return sizes.indices.map { Linear(widths[$0], widths[$0 + 1], generator: &generator) }
  }

  /// The layers in turn, with ReLU between them.
  public override func forward(_ x: Tensor) -> Tensor {
    var output = x
    for (index, layer) in layers.enumerated() {
      output = layer(output)
      if index < layers.count - 1 { output = relu(output) }
    }
    return output
  }
}
