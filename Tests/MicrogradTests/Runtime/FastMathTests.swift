import Foundation
import Testing

@testable import Micrograd

/// The fast float32 transcendentals against the double-precision result
/// rounded to float (Foundation's, on `Double`), over every binade.
@Suite struct FastMathTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let name: String
    let fast: @Sendable (Float) -> Float
    let reference: @Sendable (Double) -> Double
    /// The largest error allowed, in units in the last place.
    let maxULP: Int
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(name: "exp", fast: { FastMath.exp($0) }, reference: { Foundation.exp($0) }, maxULP: 1),
    Case(name: "log", fast: { FastMath.log($0) }, reference: { Foundation.log($0) }, maxULP: 1),
    Case(name: "tanh", fast: { FastMath.tanh($0) }, reference: { Foundation.tanh($0) }, maxULP: 1),
    // Like PyTorch and the float formula, 0 once e^-x overflows float (the
    // true value there is below 2^-128).
    Case(
      name: "sigmoid", fast: { FastMath.sigmoid($0) },
      reference: { -$0 >= 88.72283935546875 ? 0 : 1 / (1 + Foundation.exp(-$0)) }, maxULP: 2),
  ]

  /// About a million inputs: every 8191st float bit pattern (all binades,
  /// both signs, denormals, infinities, NaNs) plus a dense grid over [-100, 100].
  static let sweep: [Float] = {
    var points = stride(from: UInt64(0), to: 1 << 32, by: 8191).map { Float(bitPattern: UInt32($0)) }
    points += (-250_000...250_000).map { Float($0) / 2500 }
    points += [
      0, -0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
    ]
    return points
  }()

  /// The distance between two finite floats in units in the last place
  /// (how many floats lie between them, crossing zero included).
  static func ulps(_ a: Float, _ b: Float) -> Int {
    func ordered(_ x: Float) -> Int {
      let magnitude = Int(x.bitPattern & 0x7FFF_FFFF)
      return x.sign == .minus ? -magnitude : magnitude
    }
    return abs(ordered(a) - ordered(b))
  }

  @Test(arguments: cases) func withinULPOverTheWholeRange(_ f: Case) {
    var worst = 0
    var worstInput: Float = 0
    var specialMismatches: [String] = []
    for x in Self.sweep {
      let value = f.fast(x)
      let expected = Float(f.reference(Double(x)))
      if expected.isFinite && value.isFinite {
        let error = Self.ulps(value, expected)
        if error > worst { (worst, worstInput) = (error, x) }
      } else if !(expected.isNaN && value.isNaN) && value != expected {
        specialMismatches.append("\(f.name)(\(x)) = \(value), expected \(expected)")
      }
    }
    #expect(worst <= f.maxULP, "\(f.name): \(worst) ulp at x = \(worstInput)")
    #expect(specialMismatches.isEmpty, "\(specialMismatches.prefix(5))")
  }

  @Test func expOverflowsUnderflowsAndKeepsNaN() {
    #expect(FastMath.exp(0) == 1)
    #expect(FastMath.exp(88.72283935546875) == .infinity)  // first float whose exp rounds past the largest
    #expect(FastMath.exp(88.72283172607422).isFinite)
    #expect(FastMath.exp(1000) == .infinity)
    #expect(FastMath.exp(.infinity) == .infinity)
    #expect(FastMath.exp(-104) == 0)
    #expect(FastMath.exp(-.infinity) == 0)
    #expect(FastMath.exp(-100) > 0)  // a denormal, not flushed
    #expect(FastMath.exp(.nan).isNaN)
  }

  @Test func logOfZeroNegativeInfinityAndDenormals() {
    #expect(FastMath.log(1) == 0)
    #expect(FastMath.log(0) == -.infinity)
    #expect(FastMath.log(-0.0) == -.infinity)
    #expect(FastMath.log(-1).isNaN)
    #expect(FastMath.log(-.infinity).isNaN)
    #expect(FastMath.log(.infinity) == .infinity)
    #expect(FastMath.log(.nan).isNaN)
    #expect(
      Self.ulps(FastMath.log(.leastNonzeroMagnitude), Float(Foundation.log(Double(Float.leastNonzeroMagnitude)))) <= 1)
  }

  @Test func tanhSaturatesAndKeepsSign() {
    for x: Float in [10, 20, 100, .infinity] {
      #expect(FastMath.tanh(x) == 1)
      #expect(FastMath.tanh(-x) == -1)
    }
    #expect(FastMath.tanh(0) == 0)
    #expect(FastMath.tanh(-0.0).sign == .minus)
    #expect(FastMath.tanh(.nan).isNaN)
  }

  @Test func sigmoidAtTheExtremes() {
    #expect(FastMath.sigmoid(0) == 0.5)
    #expect(FastMath.sigmoid(100) == 1)
    #expect(FastMath.sigmoid(.infinity) == 1)
    #expect(FastMath.sigmoid(-.infinity) == 0)
    // As in PyTorch: 0 once e^-x overflows; tiny but exact just before.
    #expect(FastMath.sigmoid(-100) == 0)
    #expect(FastMath.sigmoid(-88.8) == 0)
    #expect(Self.ulps(FastMath.sigmoid(-88), Float(1 / (1 + Foundation.exp(88.0)))) <= 3)
    #expect(FastMath.sigmoid(.nan).isNaN)
  }

  /// The portable function for `f` (exp, log, tanh or sigmoid).
  static func portable(_ f: UnaryFunction) -> (Float) -> Float {
    switch f {
    case .exp: FastMath.exp
    case .log: FastMath.log
    case .tanh: FastMath.tanh
    case .sigmoid: FastMath.sigmoid
    default: { f($0) }
    }
  }

  /// The portable vector loops run these functions (the kernels run them
  /// where the CPU has no FMA; with FMA they run ``VectorMath``'s, which
  /// `VectorMathTests` checks).
  @Test func portableKernelsUseTheFastFunctions() {
    let x = Self.sweep.filter { !$0.isNaN }
    var y = [Float](repeating: 0, count: x.count)
    for function in [UnaryFunction.exp, .log, .tanh, .sigmoid] {
      let scalar = x.map(Self.portable(function))
      Elementwise.portableUnaryChunk(function, x, &y, count: x.count)
      #expect(y.elementsEqual(scalar) { $0 == $1 || ($0.isNaN && $1.isNaN) })
      if !VectorMath.isActive {
        Elementwise.unary(function, x, &y, count: x.count)
        #expect(y.elementsEqual(scalar) { $0 == $1 || ($0.isNaN && $1.isNaN) })
      }
    }
  }

  /// tanh and sigmoid take `e^x` from ``FastMath/expOfDenominator(_:)``:
  /// their results equal those of the full ``FastMath/exp(_:)`` bit for bit
  /// (checked once over all 2^32 inputs; here over the sweep and the range
  /// where the two exps differ, below -86).
  @Test func denominatorExpChangesNoResult() {
    let below = stride(from: Float(-120), through: -85, by: 0.001)
    for x in Self.sweep + Array(below) + Array(below).map(-) {
      let sigmoid = 1 / (1 + FastMath.exp(-x))
      #expect(FastMath.sigmoid(x).bitPattern == sigmoid.bitPattern || sigmoid.isNaN, "sigmoid(\(x))")
      let magnitude = abs(x)
      guard magnitude >= 0.625, !x.isNaN else { continue }
      let large = 1 - 2 / (FastMath.exp(magnitude + magnitude) + 1)
      let tanh = Float(bitPattern: large.bitPattern | (x.bitPattern & 0x8000_0000))
      #expect(FastMath.tanh(x).bitPattern == tanh.bitPattern, "tanh(\(x))")
    }
  }
}
