import CKernels

/// `exp`, `log`, `tanh` and `sigmoid` with fused multiply-adds, from the C
/// kernels of the `CKernels` target (Sources/CKernels/VectorMath.c).
///
/// The package builds for baseline x86-64, where Swift's `fma` is a libm call,
/// and Swift has no per-function target attribute; C has. The C kernels follow
/// ``FastMath`` step for step (same range reductions, coefficients and special
/// values) with the polynomials and range reductions as fused multiply-adds,
/// compiled for AVX2+FMA and for AVX-512 and picked once when the library
/// loads. Both give the same bits; on a CPU with neither, ``Elementwise``
/// runs the portable ``FastMath`` loops. Over all 2^32 inputs the C kernels
/// keep FastMath's bounds (`exp`, `log`, `tanh` within 1 ulp, `sigmoid` 2).
enum VectorMath {
  /// The instruction set the C kernels run with: 0 none (the portable
  /// ``FastMath`` loops run instead), 1 AVX2 and FMA, 2 AVX-512.
  static let level = Int(mg_vector_math_level())

  /// Whether ``Elementwise`` takes `exp`, `log`, `tanh` and `sigmoid` from the C kernels.
  static let isActive = level > 0

  /// The C kernel's number for `f`, if it has one.
  @inline(__always)
  static func kernel(_ f: UnaryFunction) -> Int32? {
    switch f {
    case .exp: Int32(MG_UNARY_EXP)
    case .log: Int32(MG_UNARY_LOG)
    case .tanh: Int32(MG_UNARY_TANH)
    case .sigmoid: Int32(MG_UNARY_SIGMOID)
    default: nil
    }
  }

  /// `y[i] = f(x[i])` for `count` elements through the C kernel of `f`
  /// (`y` may be `x`); false, with nothing done, if `f` has none.
  @inline(__always)
  static func apply(_ f: UnaryFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int)
    -> Bool
  {
    guard let kernel = kernel(f) else { return false }
    mg_unary_f32(kernel, x, y, count)
    return true
  }

  /// `f(x)` through the C kernel, one element (``UnaryFunction`` at a point).
  static func apply(_ f: UnaryFunction, _ x: Float) -> Float {
    var input = x
    var output: Float = 0
    _ = apply(f, &input, &output, count: 1)
    return output
  }

  /// ``apply(_:_:_:count:)`` at a given level (tests compare the levels);
  /// false, with nothing done, if this CPU lacks the level or `f` has no kernel.
  static func apply(
    _ f: UnaryFunction, level: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
  ) -> Bool {
    guard let kernel = kernel(f) else { return false }
    return mg_unary_f32_at_level(kernel, Int32(level), x, y, count) != 0
  }

  /// Copies `count` floats with non-temporal stores (they bypass the caches):
  /// for outputs far larger than the last-level cache. `destination` and
  /// `source` must not overlap. The stores are weakly ordered: call
  /// ``storeFence()`` before anything that tells another thread they are done.
  static func streamCopy(_ destination: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, count: Int) {
    mg_stream_copy_f32(destination, source, count)
  }

  /// Orders every earlier store, non-temporal ones included, before any later one.
  static func storeFence() {
    mg_store_fence()
  }
}
