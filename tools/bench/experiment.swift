import Foundation
@testable import Micrograd

func orderedBits(_ x: Float) -> Int64 {
  let b = Int64(x.bitPattern & 0x7fff_ffff)
  return x.sign == .minus ? -b : b
}

func experiment() {
  let cases: [(String, (Float) -> Float, (Double) -> Double)] = [
    ("exp", FastMath.exp, { Foundation.exp($0) }),
    ("log", FastMath.log, { Foundation.log($0) }),
    ("tanh", FastMath.tanh, { Foundation.tanh($0) }),
    ("sigmoid", FastMath.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }),
  ]
  for (name, fast, reference) in cases {
    var worst: Int64 = 0
    var worstX: Float = 0
    var mismatchedSpecials = 0
    var bits: UInt32 = 0
    var libmWorst: Int64 = 0
    repeat {
      let x = Float(bitPattern: bits)
      let y = fast(x)
      let r = Float(reference(Double(x)))
      if r.isNaN || y.isNaN || r.isInfinite || y.isInfinite {
        if !(r.isNaN && y.isNaN) && r != y { mismatchedSpecials += 1; if mismatchedSpecials < 5 { print(name, x, y, r) } }
      } else {
        let d = abs(orderedBits(y) - orderedBits(r))
        if d > worst { worst = d; worstX = x }
      }
      bits &+= 1
    } while bits != 0
    _ = libmWorst
    print("\(name): max \(worst) ulp at x = \(worstX); special-value mismatches: \(mismatchedSpecials)")
  }
}
