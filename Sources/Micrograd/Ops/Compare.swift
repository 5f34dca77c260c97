// Comparisons (0/1 masks) and select: shape rule, lowering and backward.

/// An elementwise comparison giving 1 where it holds and 0 elsewhere, with
/// numpy broadcasting. Masks carry no gradient (the step function's
/// derivative is zero almost everywhere), as in PyTorch.
public final class Compare: Tensor {
  /// The comparison made.
  public let function: BinaryFunction
  var a: Tensor { inputs[0] }
  var b: Tensor { inputs[1] }

  init(_ function: BinaryFunction, _ a: Tensor, _ b: Tensor, site: CallSite) {
    self.function = function
    super.init(shape: broadcastShape(function.name, a, b, site), inputs: [a, b], site: site)
  }

  // A mask never requires grad: its inputs are dropped after the forward.
  override var keepsHistory: Bool { false }

  public override var opName: String { function.name }
  public override var operation: Operation? { .binary(function) }
}

/// `condition ? a : b` elementwise (`torch.where`), all three broadcast.
public final class Select: Tensor {
  var condition: Tensor { inputs[0] }
  var a: Tensor { inputs[1] }
  var b: Tensor { inputs[2] }

  init(_ condition: Tensor, _ a: Tensor, _ b: Tensor, site: CallSite) {
    let ab = broadcastShape("select", a, b, site)
    guard let shape = Shape.broadcast(condition.shape, ab) else {
      fail(
        TensorError(
          op: "select", message: "condition shape \(condition.shape) does not broadcast with \(ab)",
          location: site.location))
    }
    super.init(shape: shape, inputs: [condition, a, b], site: site)
  }

  public override var opName: String { "select" }
  public override var operation: Operation? { .select }

  public override func backpropagate(_ grad: Tensor) {
    let zero = Tensor(0)
    a.accumulateGrad(select(condition, grad, zero))
    b.accumulateGrad(select(condition, zero, grad))
  }
}

/// `a` where `condition` is non-zero, else `b` (`torch.where`), broadcasting
/// all three like numpy.
public func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor, file: StaticString = #fileID, line: UInt = #line)
  -> Tensor
{
  Select(condition, a, b, site: CallSite(file, line))
}

infix operator .> : ComparisonPrecedence
infix operator .>= : ComparisonPrecedence
infix operator .< : ComparisonPrecedence
infix operator .<= : ComparisonPrecedence
infix operator .== : ComparisonPrecedence
infix operator .!= : ComparisonPrecedence

extension Tensor {
  /// 1 where `a > b`, else 0.
  public static func .> (a: Tensor, b: Tensor) -> Tensor { Compare(.greater, a, b, site: .fromOperator) }
  /// 1 where `a >= b`, else 0.
  public static func .>= (a: Tensor, b: Tensor) -> Tensor { Compare(.greaterEqual, a, b, site: .fromOperator) }
  /// 1 where `a < b`, else 0.
  public static func .< (a: Tensor, b: Tensor) -> Tensor { Compare(.less, a, b, site: .fromOperator) }
  /// 1 where `a <= b`, else 0.
  public static func .<= (a: Tensor, b: Tensor) -> Tensor { Compare(.lessEqual, a, b, site: .fromOperator) }
  /// 1 where `a == b`, else 0.
  public static func .== (a: Tensor, b: Tensor) -> Tensor { Compare(.equal, a, b, site: .fromOperator) }
  /// 1 where `a != b`, else 0.
  public static func .!= (a: Tensor, b: Tensor) -> Tensor { Compare(.notEqual, a, b, site: .fromOperator) }
  /// 1 where `a > b`, else 0.
  public static func .> (a: Tensor, b: Float) -> Tensor { Compare(.greater, a, Tensor(b), site: .fromOperator) }
  /// 1 where `a >= b`, else 0.
  public static func .>= (a: Tensor, b: Float) -> Tensor { Compare(.greaterEqual, a, Tensor(b), site: .fromOperator) }
  /// 1 where `a < b`, else 0.
  public static func .< (a: Tensor, b: Float) -> Tensor { Compare(.less, a, Tensor(b), site: .fromOperator) }
  /// 1 where `a <= b`, else 0.
  public static func .<= (a: Tensor, b: Float) -> Tensor { Compare(.lessEqual, a, Tensor(b), site: .fromOperator) }
  /// 1 where `a == b`, else 0.
  public static func .== (a: Tensor, b: Float) -> Tensor { Compare(.equal, a, Tensor(b), site: .fromOperator) }
  /// 1 where `a != b`, else 0.
  public static func .!= (a: Tensor, b: Float) -> Tensor { Compare(.notEqual, a, Tensor(b), site: .fromOperator) }
}
