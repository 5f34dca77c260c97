// Power with a constant exponent: shape rule, lowering and backward.

/// `a` raised to a constant `exponent`, elementwise, like micrograd's `a**3`.
public final class Pow: Tensor {
  var a: Tensor { inputs[0] }
  /// The constant exponent.
  public let exponent: Float

  init(_ a: Tensor, _ exponent: Float, site: CallSite) {
    self.exponent = exponent
    super.init(shape: a.shape, inputs: [a], site: site)
  }

  public override var opName: String { "pow" }
  public override var operation: Operation? { .unary(.power(exponent)) }

  public override func backpropagate(_ grad: Tensor) {
    // d(x^p)/dx = p·x^(p-1); zero for p = 0, even at x = 0 where x^-1 is infinite.
    switch exponent {
    case 0: a.accumulateGrad(grad * 0)
    case 1: a.accumulateGrad(grad)
    default: a.accumulateGrad(grad * exponent * Pow(a, exponent - 1, site: site))
    }
  }
}

/// `x` raised to the constant power `p`, elementwise (`torch.pow(x, p)`).
public func pow(_ x: Tensor, _ p: Float, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  Pow(x, p, site: CallSite(file, line))
}

extension Tensor {
  /// This tensor raised to the constant power `p`, elementwise.
  public func pow(_ p: Float, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    Pow(self, p, site: CallSite(file, line))
  }
}
