import Foundation
import Micrograd
import SampleData
import SampleSupport

/// An SVG of the model's decision boundary: a grid of cells coloured by the
/// sign of the score at their centres, with the data points on top.
struct DecisionBoundary {
  let model: Module
  let moons: Moons
  /// Grid cells across; rows follow from the aspect ratio.
  var columns = 120
  /// Image width in pixels.
  var width: Float = 600

  /// The SVG document.
  func svg() -> String {
    let xs = moons.points.map { $0[0] }
    let ys = moons.points.map { $0[1] }
    let (left, right) = (xs.min()! - 0.5, xs.max()! + 0.5)
    let (bottom, top) = (ys.min()! - 0.5, ys.max()! + 0.5)
    let cell = (right - left) / Float(columns)
    let rows = Int(((top - bottom) / cell).rounded(.up))
    let scale = width / (right - left)
    let side = cell * scale
    let height = Float(rows) * side
    func pixel(_ x: Float, _ y: Float) -> (Float, Float) { ((x - left) * scale, (top - y) * scale) }

    // Every cell centre in one batch; no gradient needed.
    var centres: [Float] = []
    for row in 0..<rows {
      for column in 0..<columns {
        centres += [left + (Float(column) + 0.5) * cell, top - (Float(row) + 0.5) * cell]
      }
    }
    let scores = noGrad { model(Tensor(centres, shape: [rows * columns, 2])) }.scalars

    var svg = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(number(width))" height="\(number(height))">
      <rect width="100%" height="100%" fill="#fde3cc"/>

      """
    // One rectangle per run of positive cells in a row, over the negative background.
    for row in 0..<rows {
      var column = 0
      while column < columns {
        guard scores[row * columns + column] > 0 else {
          column += 1
          continue
        }
        let start = column
        while column < columns && scores[row * columns + column] > 0 { column += 1 }
        // Half a pixel of overlap hides the seams between rows.
        let (x, y, runWidth) = (Float(start) * side, Float(row) * side, Float(column - start) * side)
        svg += "<rect x=\"\(number(x))\" y=\"\(number(y))\" width=\"\(number(runWidth + 0.5))\" "
        svg += "height=\"\(number(side + 0.5))\" fill=\"#cfe2f3\"/>\n"
      }
    }
    for (point, label) in zip(moons.points, moons.labels) {
      let (x, y) = pixel(point[0], point[1])
      let colour = label > 0 ? "#1f77b4" : "#e6701a"
      svg += "<circle cx=\"\(number(x))\" cy=\"\(number(y))\" r=\"5\" fill=\"\(colour)\" "
      svg += "stroke=\"#222\" stroke-width=\"1\"/>\n"
    }
    return svg + "</svg>\n"
  }
}

/// `value` with one decimal, as SVG coordinates need no more.
private func number(_ value: Float) -> String { format(value, 1) }

/// Writes `text` to `path` through a temporary file renamed into place, so a
/// reader never sees half a file.
func writeAtomically(_ text: String, to path: String) throws {
  let directory = (path as NSString).deletingLastPathComponent
  try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  let temporary = path + ".tmp-\(getpid())"
  try text.write(toFile: temporary, atomically: false, encoding: .utf8)
  guard rename(temporary, path) == 0 else {
    let reason = String(cString: strerror(errno))
    unlink(temporary)
    throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot rename to \(path): \(reason)"])
  }
}
