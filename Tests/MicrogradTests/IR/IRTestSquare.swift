import Micrograd

/// A custom op the IR tests put in random programs: `x * x`, registered as
/// `custom[test.square]`.
final class IRTestSquare: CustomOp {
  override class var name: String { "test.square" }

  override class func outputShape(for inputs: [Shape]) throws -> Shape {
    guard inputs.count == 1 else { throw CustomOpError("takes one input, got \(inputs.count)") }
    return inputs[0]
  }

  override class func forward(
    _ inputs: [UnsafeBufferPointer<Float>], shapes: [Shape], into out: UnsafeMutableBufferPointer<Float>, shape: Shape
  ) {
    for i in out.indices { out[i] = inputs[0][i] * inputs[0][i] }
  }

  override func gradients(_ grad: Tensor) -> [Tensor?] { [2 * grad * inputs[0]] }
}
