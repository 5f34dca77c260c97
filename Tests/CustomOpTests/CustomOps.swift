import Foundation
import Micrograd

/// `log(1 + exp(x))`, elementwise: a custom op with one input, defined with
/// the public API only.
final class Softplus: CustomOp {
  override class var name: String { "softplus" }

  override class func outputShape(for inputs: [Shape]) throws -> Shape {
    guard inputs.count == 1 else { throw CustomOpError("softplus takes one input, got \(inputs.count)") }
    return inputs[0]
  }

  override class func forward(
    _ inputs: [UnsafeBufferPointer<Float>], shapes: [Shape], into out: UnsafeMutableBufferPointer<Float>, shape: Shape
  ) {
    // Stable for large |x|: max(x, 0) + log(1 + exp(-|x|)).
    for i in out.indices {
      let x = inputs[0][i]
      out[i] = Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
    }
  }

  // d/dx softplus(x) = sigmoid(x); in tensor ops, so it differentiates again.
  override func gradients(_ grad: Tensor) -> [Tensor?] { [grad * sigmoid(inputs[0])] }
}

/// `sqrt(a² + b²)` for two tensors of one shape: a custom op with two inputs
/// whose backward reads its own output.
final class Hypot: CustomOp {
  override class var name: String { "test.hypot" }

  override class func outputShape(for inputs: [Shape]) throws -> Shape {
    guard inputs.count == 2, inputs[0] == inputs[1] else {
      throw CustomOpError("hypot takes two inputs of one shape")
    }
    return inputs[0]
  }

  override class func forward(
    _ inputs: [UnsafeBufferPointer<Float>], shapes: [Shape], into out: UnsafeMutableBufferPointer<Float>, shape: Shape
  ) {
    for i in out.indices { out[i] = (inputs[0][i] * inputs[0][i] + inputs[1][i] * inputs[1][i]).squareRoot() }
  }

  override func gradients(_ grad: Tensor) -> [Tensor?] {
    [grad * inputs[0] / self, grad * inputs[1] / self]
  }
}

/// `softplus(x)`.
func softplus(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  Softplus([x], file: file, line: line)
}

/// `hypot(a, b)`.
func hypot(_ a: Tensor, _ b: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  Hypot([a, b], file: file, line: line)
}
