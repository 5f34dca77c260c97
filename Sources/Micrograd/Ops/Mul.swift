// Multiplication and division: shape rule, lowering and backward.

/// `a * b`, elementwise, with numpy broadcasting.
public final class Mul: Tensor {
  var a: Tensor { inputs[0] }
  var b: Tensor { inputs[1] }

  init(_ a: Tensor, _ b: Tensor, site: CallSite) {
    super.init(shape: broadcastShape("mul", a, b, site), inputs: [a, b], site: site)
  }

  public override var opName: String { "mul" }
  public override var operation: Operation? { .binary(.multiply) }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(grad * b)
    b.accumulateGrad(grad * a)
  }
}

/// `a / b`, elementwise, with numpy broadcasting.
public final class Div: Tensor {
  var a: Tensor { inputs[0] }
  var b: Tensor { inputs[1] }

  init(_ a: Tensor, _ b: Tensor, site: CallSite) {
    super.init(shape: broadcastShape("div", a, b, site), inputs: [a, b], site: site)
  }

  public override var opName: String { "div" }
  public override var operation: Operation? { .binary(.divide) }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(grad / b)
    b.accumulateGrad(-grad * a / (b * b))
  }
}

extension Tensor {
  /// Elementwise product, broadcasting like numpy.
  public static func * (a: Tensor, b: Tensor) -> Tensor { Mul(a, b, site: .fromOperator) }
  /// Multiplies every element by a scalar.
  public static func * (a: Tensor, b: Float) -> Tensor { Mul(a, Tensor(b), site: .fromOperator) }
  /// Multiplies every element by a scalar.
  public static func * (a: Float, b: Tensor) -> Tensor { Mul(Tensor(a), b, site: .fromOperator) }
  /// Elementwise quotient, broadcasting like numpy.
  public static func / (a: Tensor, b: Tensor) -> Tensor { Div(a, b, site: .fromOperator) }
  /// Divides every element by a scalar.
  public static func / (a: Tensor, b: Float) -> Tensor { Div(a, Tensor(b), site: .fromOperator) }
  /// Divides a scalar by every element.
  public static func / (a: Float, b: Tensor) -> Tensor { Div(Tensor(a), b, site: .fromOperator) }
}
