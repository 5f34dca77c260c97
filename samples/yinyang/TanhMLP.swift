import Foundation
import Micrograd

/// EurekaLabsAI/micrograd's `MLP`: linear layers with tanh after every one
/// but the last, whose outputs are logits.
///
/// Initialised as micrograd's `Neuron` does: each weight `uniform(-1, 1)/√nin`
/// drawn neuron by neuron (a row of our `[out, in]` weight at a time, so the
/// draws land in row-major order), each bias 0. The values are computed in
/// double, as Python does, and rounded to float32 once.
final class TanhMLP: Module {
  /// The layers, input side first; parameters are named `layers.0.weight`, ….
  let layers: [Linear]

  init(_ inFeatures: Int, _ sizes: [Int], generator: inout XorShiftStar) {
    let widths = [inFeatures] + sizes
    var layers: [Linear] = []
    for (inputs, outputs) in zip(widths, widths.dropFirst()) {
      let scale = Foundation.pow(Double(inputs), -0.5)
      let weights = (0..<(outputs * inputs)).map { _ in Float(generator.uniform(-1, 1) * scale) }
      layers.append(
        Linear(
          weight: Tensor(weights, shape: [outputs, inputs], requiresGrad: true),
          bias: Tensor.zeros([outputs], requiresGrad: true)))
    }
    self.layers = layers
  }

  /// The logits of `x` (shape `[N, inFeatures]`): `[N, classes]`.
  override func forward(_ x: Tensor) -> Tensor {
    var output = x
    for (index, layer) in layers.enumerated() {
      output = layer(output)
      if index < layers.count - 1 { output = tanh(output) }
    }
    return output
  }
}
