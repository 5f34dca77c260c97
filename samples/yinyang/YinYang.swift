import Foundation
import Micrograd

/// The yin-yang data set (Kriener et al., as EurekaLabsAI/micrograd generates
/// it): points in a disc of radius `bigRadius` labelled 0 (yin), 1 (yang)
/// or 2 (the two small dots), scaled to [-2, 2]².
///
/// Points are drawn by rejection until each has the class its index asks for
/// (`index % 3`), so the classes are balanced; the tests of class membership
/// run in double precision, on the unscaled draws, like the Python original,
/// so that the same generator gives the same points.
struct YinYang {
  /// One labelled point.
  struct Point {
    var x: Float
    var y: Float
    var label: Int
  }

  /// The first 80% of the points, then 10% for validation and 10% for test.
  let train: [Point]
  let validation: [Point]
  let test: [Point]

  init(count: Int, smallRadius: Double = 0.1, bigRadius: Double = 0.5, generator: inout XorShiftStar) {
    func distance(_ dx: Double, _ dy: Double) -> Double { Foundation.pow(dx * dx + dy * dy, 0.5) }
    func label(_ x: Double, _ y: Double) -> Int {
      let right = distance(x - 1.5 * bigRadius, y - bigRadius)
      let left = distance(x - 0.5 * bigRadius, y - bigRadius)
      if right < smallRadius || left < smallRadius { return 2 }
      let isYin =
        right <= smallRadius || (left > smallRadius && left <= 0.5 * bigRadius)
        || (y > bigRadius && right > 0.5 * bigRadius)
      return isYin ? 0 : 1
    }
    var points: [Point] = []
    for index in 0..<count {
      while true {
        let x = generator.uniform(0, 2 * bigRadius)
        let y = generator.uniform(0, 2 * bigRadius)
        if distance(x - bigRadius, y - bigRadius) > bigRadius { continue }
        let c = label(x, y)
        if c == index % 3 {
          points.append(Point(x: Float((x / bigRadius - 1) * 2), y: Float((y / bigRadius - 1) * 2), label: c))
          break
        }
      }
    }
    let (trainEnd, validationEnd) = (Int(0.8 * Double(count)), Int(0.9 * Double(count)))
    train = Array(points[..<trainEnd])
    validation = Array(points[trainEnd..<validationEnd])
    test = Array(points[validationEnd...])
  }
}

extension Array where Element == YinYang.Point {
  /// The points as a `[count, 2]` tensor.
  var pointTensor: Tensor { Tensor(flatMap { [$0.x, $0.y] }, shape: [count, 2]) }
  /// The labels as a `[count]` tensor of class indices.
  var labelTensor: Tensor { Tensor(map { Float($0.label) }) }
}
