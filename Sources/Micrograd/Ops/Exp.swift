// The exponential: forward, shape rule and backward.

/// `e^a`, elementwise.
public final class Exp: Tensor {
  var a: Tensor { inputs[0] }

  init(_ a: Tensor, site: CallSite) {
    super.init(shape: a.shape, inputs: [a], site: site)
  }

  public override var opName: String { "exp" }

  public override func forward(into out: UnsafeMutablePointer<Float>) {
    Elementwise.unary(.exp, a.values, out, count: count)
  }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(grad * self)  // d/da e^a = e^a, the output itself
  }
}

/// The exponential `e^x`, elementwise.
public func exp(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  Exp(x, site: CallSite(file, line))
}
