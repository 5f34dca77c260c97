import Foundation
import Micrograd

/// The two-moons data set (scikit-learn's `make_moons`), shared by the
/// samples and the benchmarks: two interleaved half circles, labelled -1 and +1.
public struct Moons: Sendable {
  /// The points, one `[x, y]` row each.
  public let points: [[Float]]
  /// The label of each point: -1 for the outer moon, +1 for the inner one.
  public let labels: [Float]

  /// The points as a `[count, 2]` tensor.
  public var pointTensor: Tensor { Tensor(points) }
  /// The labels as a `[count]` tensor.
  public var labelTensor: Tensor { Tensor(labels) }

  /// `count` points with scikit-learn's `make_moons` geometry: the outer moon
  /// `(cos t, sin t)` and the inner `(1 - cos t, 1 - sin t - 0.5)`, `t` evenly
  /// spaced over [0, π] in each, shuffled, then moved by gaussian noise of
  /// standard deviation `noise`, all drawn from `generator`.
  public init(count: Int, noise: Float, generator: inout RandomGenerator) {
    let outerCount = count / 2
    let innerCount = count - outerCount
    func angles(_ n: Int) -> [Float] { (0..<n).map { Float.pi * Float($0) / Float(max(n - 1, 1)) } }
    var points =
      angles(outerCount).map { [cos($0), sin($0)] } + angles(innerCount).map { [1 - cos($0), 0.5 - sin($0)] }
    var labels = [Float](repeating: -1, count: outerCount) + [Float](repeating: 1, count: innerCount)
    // Fisher–Yates, so the order depends on nothing but the generator.
    for i in stride(from: count - 1, to: 0, by: -1) {
      let j = Int(generator.next() % UInt64(i + 1))
      points.swapAt(i, j)
      labels.swapAt(i, j)
    }
    self.points = points.map { point in point.map { $0 + generator.normal(std: noise) } }
    self.labels = labels
  }
}
