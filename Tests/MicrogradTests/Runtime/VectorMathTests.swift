import Foundation
import Testing

@testable import Micrograd

/// The dispatched vector math: ``Elementwise/unaryChunk(_:_:_:count:)``,
/// which runs ``VectorMath``'s C kernels (fused multiply-adds) where the CPU
/// has AVX2 and FMA and ``FastMath`` elsewhere. `FastMathTests` checks the
/// portable path itself; here the same bounds hold for whichever path runs.
@Suite struct VectorMathTests {
  /// `f` at each of `x` through the dispatched vector loop.
  static func dispatched(_ f: UnaryFunction, _ x: [Float]) -> [Float] {
    var y = [Float](repeating: 0, count: x.count)
    Elementwise.unaryChunk(f, x, &y, count: x.count)
    return y
  }

  /// `f` at `x` through the dispatched vector loop (one element).
  static func atOnePoint(_ f: UnaryFunction, _ x: Float) -> Float { dispatched(f, [x])[0] }

  static func sameBits(_ a: [Float], _ b: [Float]) -> Bool { a.map(\.bitPattern) == b.map(\.bitPattern) }

  static let functions: [UnaryFunction] = [.exp, .log, .tanh, .sigmoid]

  @Test(arguments: zip(functions, FastMathTests.cases))
  func withinULPOverTheWholeRange(_ function: UnaryFunction, _ bound: FastMathTests.Case) {
    let x = FastMathTests.sweep
    let values = Self.dispatched(function, x)
    var worst = 0
    var worstInput: Float = 0
    var specialMismatches: [String] = []
    for (x, value) in zip(x, values) {
      let expected = Float(bound.reference(Double(x)))
      if expected.isFinite && value.isFinite {
        let error = FastMathTests.ulps(value, expected)
        if error > worst { (worst, worstInput) = (error, x) }
      } else if !(expected.isNaN && value.isNaN) && value != expected {
        specialMismatches.append("\(bound.name)(\(x)) = \(value), expected \(expected)")
      }
    }
    #expect(worst <= bound.maxULP, "\(bound.name), level \(VectorMath.level): \(worst) ulp at x = \(worstInput)")
    #expect(specialMismatches.isEmpty, "\(specialMismatches.prefix(5))")
  }

  @Test func specialValuesThroughTheDispatchedLoops() {
    let exp = { (x: Float) -> Float in Self.atOnePoint(.exp, x) }
    #expect(exp(0) == 1)
    #expect(exp(88.72283935546875) == .infinity)  // first float whose exp rounds past the largest
    #expect(exp(88.72283172607422).isFinite)
    #expect(exp(1000) == .infinity && exp(.infinity) == .infinity)
    #expect(exp(-104) == 0 && exp(-.infinity) == 0)
    #expect(exp(-100) > 0)  // a denormal, not flushed
    #expect(exp(.nan).isNaN)
    let log = { (x: Float) -> Float in Self.atOnePoint(.log, x) }
    #expect(log(1) == 0)
    #expect(log(0) == -.infinity && log(-0.0) == -.infinity)
    #expect(log(-1).isNaN && log(-.infinity).isNaN && log(.nan).isNaN)
    #expect(log(.infinity) == .infinity)
    #expect(
      FastMathTests.ulps(log(.leastNonzeroMagnitude), Float(Foundation.log(Double(Float.leastNonzeroMagnitude)))) <= 1)
    let tanh = { (x: Float) -> Float in Self.atOnePoint(.tanh, x) }
    for x: Float in [10, 20, 100, .infinity] {
      #expect(tanh(x) == 1 && tanh(-x) == -1)
    }
    #expect(tanh(0) == 0 && tanh(0).sign == .plus)
    #expect(tanh(-0.0) == 0 && tanh(-0.0).sign == .minus)
    #expect(tanh(.nan).isNaN)
    let sigmoid = { (x: Float) -> Float in Self.atOnePoint(.sigmoid, x) }
    #expect(sigmoid(0) == 0.5 && sigmoid(100) == 1 && sigmoid(.infinity) == 1)
    #expect(sigmoid(-.infinity) == 0 && sigmoid(-100) == 0 && sigmoid(-88.8) == 0)
    #expect(FastMathTests.ulps(sigmoid(-88), Float(1 / (1 + Foundation.exp(88.0)))) <= 3)
    #expect(sigmoid(.nan).isNaN)
  }

  /// Special values agree with the portable path exactly (NaN with NaN).
  @Test(arguments: functions)
  func specialValuesMatchThePortablePath(_ function: UnaryFunction) {
    let portable = FastMathTests.portable(function)
    let specials: [Float] = [
      0, -0.0, .infinity, -.infinity, .nan, -.nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
      .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 88.72283935546875,
      88.72283172607422, -88.72283935546875, -88.8, -103.97, -104, -87.33654, 1, -1,
    ]
    for (x, value) in zip(specials, Self.dispatched(function, specials)) {
      let expected = portable(x)
      #expect(value.bitPattern == expected.bitPattern || (value.isNaN && expected.isNaN), "\(function)(\(x))")
    }
  }

  /// ``UnaryFunction``'s scalar form, in-place runs and the threaded kernel
  /// all equal the vector loop bit for bit.
  @Test(arguments: functions)
  func everyEntryGivesTheSameBits(_ function: UnaryFunction) {
    let x = FastMathTests.sweep.filter { !$0.isNaN }
    let vector = Self.dispatched(function, x)
    #expect(Self.sameBits(x.map { function($0) }, vector))
    var inPlace = x
    inPlace.withUnsafeMutableBufferPointer {
      Elementwise.unaryChunk(function, $0.baseAddress!, $0.baseAddress!, count: $0.count)
    }
    #expect(Self.sameBits(inPlace, vector))
    var threaded = [Float](repeating: 0, count: x.count)
    Elementwise.unary(function, x, &threaded, count: x.count)
    #expect(Self.sameBits(threaded, vector))
    if !VectorMath.isActive {
      let portable = x.map(FastMathTests.portable(function))
      #expect(vector.elementsEqual(portable) { $0 == $1 || ($0.isNaN && $1.isNaN) })
    }
  }

  /// Every level this CPU has gives the same bits as the active one,
  /// including level 0 (the C code with libm's software fma).
  @Test(arguments: functions)
  func everyLevelGivesTheSameBits(_ function: UnaryFunction) {
    let x = FastMathTests.sweep + stride(from: Float(-120), through: 120, by: 0.0007)
    var active = [Float](repeating: 0, count: x.count)
    #expect(VectorMath.apply(function, level: VectorMath.level, x, &active, count: x.count))
    for level in 0...2 {
      var other = [Float](repeating: .nan, count: x.count)
      guard VectorMath.apply(function, level: level, x, &other, count: x.count) else {
        #expect(level > VectorMath.level)
        continue
      }
      #expect(Self.sameBits(other, active), "\(function) at level \(level) against level \(VectorMath.level)")
    }
    if VectorMath.isActive {
      #expect(Self.sameBits(Self.dispatched(function, x), active))
    }
  }

  /// As in ``FastMathTests/denominatorExpChangesNoResult()``: tanh and
  /// sigmoid equal their formulas over the dispatched `exp`, bit for bit.
  @Test func denominatorExpChangesNoResult() {
    let below = Array(stride(from: Float(-120), through: -85, by: 0.001))
    let x = (FastMathTests.sweep + below + below.map(-)).filter { !$0.isNaN }
    let sigmoid = Self.dispatched(.sigmoid, x)
    let expOfNegative = Self.dispatched(.exp, x.map(-))
    for i in x.indices {
      #expect(sigmoid[i].bitPattern == (1 / (1 + expOfNegative[i])).bitPattern, "sigmoid(\(x[i]))")
    }
    let large = x.filter { abs($0) >= 0.625 }
    let tanh = Self.dispatched(.tanh, large)
    let expOfDouble = Self.dispatched(.exp, large.map { abs($0) + abs($0) })
    for i in large.indices {
      let formula = 1 - 2 / (expOfDouble[i] + 1)
      let expected = Float(bitPattern: formula.bitPattern | (large[i].bitPattern & 0x8000_0000))
      #expect(tanh[i].bitPattern == expected.bitPattern, "tanh(\(large[i]))")
    }
  }

  #if os(Linux) && arch(x86_64)
    /// The level matches the CPU flags Linux reports.
    @Test func levelMatchesTheCPUFlags() throws {
      let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
      let line = try #require(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") })
      let flags = Set(line.split(separator: " ").map(String.init))
      let expected =
        !flags.isSuperset(of: ["avx2", "fma"]) ? 0 : flags.isSuperset(of: ["avx512f", "avx512dq", "avx512vl"]) ? 2 : 1
      #expect(VectorMath.level == expected)
      #expect(VectorMath.isActive == (expected > 0))
    }
  #endif

  /// The streaming copy equals a plain copy for every alignment of both
  /// ends and lengths around the vector widths, and leaves the rest alone.
  @Test func streamCopyEqualsAPlainCopy() {
    let source = (0..<4200).map { Float($0) * 0.5 - 7 }
    for length in [0, 1, 3, 4, 5, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000, 4096] {
      for destinationOffset in 0..<17 {
        for sourceOffset in [0, 1, 2, 3, 7, 16] {
          var destination = [Float](repeating: -1, count: length + 40)
          destination.withUnsafeMutableBufferPointer { buffer in
            source.withUnsafeBufferPointer {
              VectorMath.streamCopy(
                buffer.baseAddress! + destinationOffset, $0.baseAddress! + sourceOffset, count: length)
            }
            VectorMath.storeFence()
          }
          var expected = [Float](repeating: -1, count: length + 40)
          expected[destinationOffset..<destinationOffset + length] = source[sourceOffset..<sourceOffset + length]
          #expect(destination == expected, "length \(length), offsets \(destinationOffset), \(sourceOffset)")
        }
      }
    }
  }
}
