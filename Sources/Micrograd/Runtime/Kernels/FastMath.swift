/// Branch-free float32 `exp`, `log`, `tanh` and `sigmoid` after Cephes
/// (range reduction, then a short polynomial), written so the loops over them
/// vectorise: no calls, no traps, every special case a select.
///
/// Accuracy against the double-precision result rounded to float, over every
/// one of the 2^32 float inputs (`tools/bench/run.sh accuracy`): `exp`, `log`
/// and `tanh` within 1 ulp, `sigmoid` within 2, denormal results included;
/// `FastMathTests` checks these bounds on a million inputs. Special values
/// follow libm: `exp` overflows to `inf` and underflows to 0, `log(0) = -inf`,
/// `log(x < 0) = nan`, `tanh` saturates to ±1, NaN stays NaN; `sigmoid` is 0
/// where `e^-x` overflows, as in PyTorch.
///
/// This is the portable path: no fused multiply-add (the package builds for
/// baseline x86-64, where `fma` is a libm call). On CPUs with AVX2 and FMA,
/// ``Elementwise`` runs ``VectorMath``'s C kernels instead: the same steps
/// with fused multiply-adds, within the same bounds, some results a rounding
/// apart from these. So results are the same on every machine that takes the
/// same path (FMA, whether AVX2 or AVX-512, which agree bit for bit, or this
/// portable one), and compiled programs still equal eager ops bit for bit:
/// both run ``Elementwise/unaryChunk(_:_:_:count:)``.
enum FastMath {
  /// `e^x`: `x = k·ln 2 + r` with `|r| ≤ ln 2 / 2`, then `2^k · p(r)`.
  @inline(__always)
  static func exp(_ x: Float) -> Float {
    // Past 88.8 the result is inf, below -104 it is 0: the clamp keeps k in
    // [-150, 128] and the scaling below overflows or underflows by itself.
    // A NaN passes the clamp (min and max keep their first argument then)
    // and every step after, so it needs no select.
    let (y, k) = reduced(min(max(x, -104), 88.8))
    // 2^k in two factors, each a normal float, so the product rounds once
    // even when the result is denormal or overflows.
    let half = k >> 1
    return y * powerOfTwo(half) * powerOfTwo(k &- half)
  }

  /// `e^x` for the denominators of ``tanh(_:)`` and ``sigmoid(_:)``: as
  /// ``exp(_:)`` wherever its result is a normal float or overflows, and at
  /// most `e^-86` below (where ``exp(_:)`` goes on into denormals). Added to
  /// 1, both give exactly 1 there, so the callers' results are the same bit
  /// for bit; scaling by `2^(k-1)·2` in one factor saves the split.
  @inline(__always)
  static func expOfDenominator(_ x: Float) -> Float {
    let (y, k) = reduced(min(max(x, -86), 88.8))
    // k is in [-124, 128]: 2^(k-1) is a normal float, and doubling rounds once.
    return y * powerOfTwo(k &- 1) * 2
  }

  /// The range reduction and polynomial both exps share: `e^x = 2^k · y`
  /// for a clamped `x`, with `y = e^r` and `|r| ≤ ln 2 / 2`.
  @inline(__always)
  static func reduced(_ clamped: Float) -> (y: Float, k: Int32) {
    // Round x·log2(e) to the nearest integer by adding 1.5·2^23: the integer
    // lands in the low mantissa bits (no float-to-int conversion, which traps).
    let shifter: Float = 12_582_912
    let shifted = clamped * 1.442_695_04 + shifter
    let k = Int32(bitPattern: shifted.bitPattern) &- Int32(bitPattern: shifter.bitPattern)
    let fk = shifted - shifter
    // ln 2 in two parts (the first exact in 9 bits) so r is nearly exact.
    let r = (clamped - fk * 0.693_359_375) - fk * -2.121_944_40e-4
    var p: Float = 1.987_569_150_0e-4
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    return (p * (r * r) + r + 1, k)
  }

  /// `2^n` for `n` in [-126, 127], built from its exponent bits.
  @inline(__always)
  static func powerOfTwo(_ n: Int32) -> Float {
    Float(bitPattern: UInt32(bitPattern: (n &+ 127) &<< 23))
  }

  /// The natural logarithm: `x = 2^e · m` with `m` in [√½, √2), then
  /// `e·ln 2 + log(m)` with a polynomial in `m - 1`.
  @inline(__always)
  static func log(_ x: Float) -> Float {
    // Denormals: scale into the normal range first, remember the 23.
    let isDenormal = x < Float.leastNormalMagnitude
    let normal = isDenormal ? x * 8_388_608 : x
    let bits = Int32(bitPattern: normal.bitPattern)
    var e = Float((bits >> 23) & 0xFF) - (isDenormal ? 126 + 23 : 126)
    // The mantissa as a float in [0.5, 1).
    var m = Float(bitPattern: UInt32(bitPattern: (bits & 0x007F_FFFF) | 0x3F00_0000))
    let below = m < 0.707_106_781_186_547_524
    e = below ? e - 1 : e
    m = below ? m + m - 1 : m - 1
    let z = m * m
    var p: Float = 7.037_683_629_2e-2
    p = p * m - 1.151_461_031_0e-1
    p = p * m + 1.167_699_874_0e-1
    p = p * m - 1.242_014_084_6e-1
    p = p * m + 1.424_932_278_7e-1
    p = p * m - 1.666_805_766_5e-1
    p = p * m + 2.000_071_476_5e-1
    p = p * m - 2.499_999_399_3e-1
    p = p * m + 3.333_333_117_4e-1
    var y = p * m * z
    y = y + e * -2.121_944_40e-4
    y = y - 0.5 * z
    let result = (m + y) + e * 0.693_359_375
    // Specials: log(0) = -inf, log(x < 0) = nan, log(inf) = inf, nan stays.
    let special: Float = x == 0 ? -.infinity : (x < 0 ? .nan : x)
    return x > 0 && x < .infinity ? result : special
  }

  /// The hyperbolic tangent: an odd polynomial below |x| = 0.625, else
  /// `1 - 2 / (e^2|x| + 1)` (which saturates to 1 as `e^2|x|` overflows).
  @inline(__always)
  static func tanh(_ x: Float) -> Float {
    let magnitude = abs(x)
    let z = x * x
    var p: Float = -5.704_988_727_45e-3
    p = p * z + 2.063_908_879_54e-2
    p = p * z - 5.373_971_555_31e-2
    p = p * z + 1.333_144_220_36e-1
    p = p * z - 3.333_328_194_22e-1
    let small = p * z * magnitude + magnitude
    let large = 1 - 2 / (expOfDenominator(magnitude + magnitude) + 1)
    // Both forms are computed on |x| (so tanh(-0) = -0); x's sign goes back on.
    let result = magnitude < 0.625 ? small : large
    return Float(bitPattern: result.bitPattern | (x.bitPattern & 0x8000_0000))
  }

  /// The logistic function `1 / (1 + e^-x)`, in that form, as PyTorch and
  /// the libm formula compute it: below x ≈ -88.72, where `e^-x` overflows,
  /// the result is 0 (the true value is under 2^-128).
  @inline(__always)
  static func sigmoid(_ x: Float) -> Float {
    1 / (1 + expOfDenominator(-x))
  }
}
