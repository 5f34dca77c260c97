// Addition, subtraction and negation: shape rule, lowering and backward.

/// `a + b`, with numpy broadcasting.
public final class Add: Tensor {
  var a: Tensor { inputs[0] }
  var b: Tensor { inputs[1] }

  init(_ a: Tensor, _ b: Tensor, site: CallSite) {
    super.init(shape: broadcastShape("add", a, b, site), inputs: [a, b], site: site)
  }

  public override var opName: String { "add" }
  public override var operation: Operation? { .binary(.add) }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(grad)
    b.accumulateGrad(grad)
  }
}

/// `a - b`, with numpy broadcasting.
public final class Sub: Tensor {
  var a: Tensor { inputs[0] }
  var b: Tensor { inputs[1] }

  init(_ a: Tensor, _ b: Tensor, site: CallSite) {
    super.init(shape: broadcastShape("sub", a, b, site), inputs: [a, b], site: site)
  }

  public override var opName: String { "sub" }
  public override var operation: Operation? { .binary(.subtract) }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(grad)
    b.accumulateGrad(-grad)
  }
}

/// `-a`.
public final class Neg: Tensor {
  var a: Tensor { inputs[0] }

  init(_ a: Tensor, site: CallSite) {
    super.init(shape: a.shape, inputs: [a], site: site)
  }

  public override var opName: String { "neg" }
  public override var operation: Operation? { .unary(.negate) }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(-grad)
  }
}

extension Tensor {
  /// Elementwise sum, broadcasting like numpy.
  public static func + (a: Tensor, b: Tensor) -> Tensor { Add(a, b, site: .fromOperator) }
  /// Adds a scalar to every element.
  public static func + (a: Tensor, b: Float) -> Tensor { Add(a, Tensor(b), site: .fromOperator) }
  /// Adds a scalar to every element.
  public static func + (a: Float, b: Tensor) -> Tensor { Add(Tensor(a), b, site: .fromOperator) }
  /// Elementwise difference, broadcasting like numpy.
  public static func - (a: Tensor, b: Tensor) -> Tensor { Sub(a, b, site: .fromOperator) }
  /// Subtracts a scalar from every element.
  public static func - (a: Tensor, b: Float) -> Tensor { Sub(a, Tensor(b), site: .fromOperator) }
  /// Subtracts every element from a scalar.
  public static func - (a: Float, b: Tensor) -> Tensor { Sub(Tensor(a), b, site: .fromOperator) }
  /// Elementwise negation.
  public static prefix func - (a: Tensor) -> Tensor { Neg(a, site: .fromOperator) }
}

/// The broadcast shape of an elementwise op's two inputs, or a stop naming
/// the op, both shapes and the user's line.
func broadcastShape(_ op: String, _ a: Tensor, _ b: Tensor, _ site: CallSite) -> Shape {
  guard let shape = Shape.broadcast(a.shape, b.shape) else {
    fail(TensorError(op: op, message: "shapes \(a.shape) and \(b.shape) do not broadcast", location: site.location))
  }
  return shape
}
