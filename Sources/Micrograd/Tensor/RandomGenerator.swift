import Foundation
import Synchronization

/// A small, fast, seeded random number generator (xoshiro256**), so samples
/// and tests draw the same numbers on every machine.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
  private var state: (UInt64, UInt64, UInt64, UInt64)

  /// Creates a generator whose whole sequence is fixed by `seed`.
  public init(seed: UInt64) {
    // Expand the seed with SplitMix64, as xoshiro's authors recommend.
    var s = seed
    func splitMix() -> UInt64 {
      s &+= 0x9E37_79B9_7F4A_7C15
      var z = s
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    state = (splitMix(), splitMix(), splitMix(), splitMix())
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotate(state.1 &* 5, 7) &* 9
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = rotate(state.3, 45)
    return result
  }

  private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// A float uniform in [low, high), from the top 24 bits.
  public mutating func uniform(_ low: Float = 0, _ high: Float = 1) -> Float {
    low + (high - low) * (Float(next() >> 40) * 0x1p-24)
  }

  /// A float from the normal distribution (Box–Muller).
  public mutating func normal(mean: Float = 0, std: Float = 1) -> Float {
    let u1 = max(Double(next() >> 11) * 0x1p-53, .leastNonzeroMagnitude)
    let u2 = Double(next() >> 11) * 0x1p-53
    return mean + std * Float(sqrt(-2 * Foundation.log(u1)) * cos(2 * Double.pi * u2))
  }

  /// The process-wide generator used when none is passed (PyTorch's default
  /// generator). Reseed it with ``manualSeed(_:)``.
  static let shared = Mutex(RandomGenerator(seed: 0))
}

/// Reseeds the default generator that initialisers use when given none, like
/// `torch.manual_seed`.
public func manualSeed(_ seed: UInt64) {
  RandomGenerator.shared.withLock { $0 = RandomGenerator(seed: seed) }
}

extension Tensor {
  /// A tensor of values uniform in [low, high), drawn from `generator`.
  public static func uniform(
    _ shape: Shape, low: Float = 0, high: Float = 1, requiresGrad: Bool = false, generator: inout RandomGenerator
  ) -> Tensor {
    let values = (0..<shape.count).map { _ in generator.uniform(low, high) }
    return Tensor(storage: Storage(values), shape: shape, requiresGrad: requiresGrad)
  }

  /// A tensor of values uniform in [low, high), from the default generator.
  public static func uniform(_ shape: Shape, low: Float = 0, high: Float = 1, requiresGrad: Bool = false) -> Tensor {
    RandomGenerator.shared.withLock { uniform(shape, low: low, high: high, requiresGrad: requiresGrad, generator: &$0) }
  }

  /// A tensor of normally distributed values, drawn from `generator`.
  public static func normal(
    _ shape: Shape, mean: Float = 0, std: Float = 1, requiresGrad: Bool = false, generator: inout RandomGenerator
  ) -> Tensor {
    let values = (0..<shape.count).map { _ in generator.normal(mean: mean, std: std) }
    return Tensor(storage: Storage(values), shape: shape, requiresGrad: requiresGrad)
  }

  /// A tensor of normally distributed values, from the default generator.
  public static func normal(_ shape: Shape, mean: Float = 0, std: Float = 1, requiresGrad: Bool = false) -> Tensor {
    RandomGenerator.shared.withLock { normal(shape, mean: mean, std: std, requiresGrad: requiresGrad, generator: &$0) }
  }
}
