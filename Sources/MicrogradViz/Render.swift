import Foundation

/// Something MicrogradViz can draw: a ``TensorGraph``, a `Tensor` or a
/// `Program`.
public protocol Drawable {
  /// The picture as Graphviz DOT text.
  func dot(options: VizOptions) -> String

  /// The picture as SVG; by default ``dot(options:)`` rendered by Graphviz.
  func renderedSVG(options: VizOptions) throws(VizError) -> Data
}

extension Drawable {
  public func renderedSVG(options: VizOptions) throws(VizError) -> Data {
    try render(dot: dot(options: options), format: .svg)
  }
}

/// A picture format Graphviz renders to.
public enum ImageFormat: String, CaseIterable, Sendable {
  case svg, png
}

/// The DOT text of `drawable`'s picture.
public func dot(_ drawable: some Drawable, options: VizOptions = VizOptions()) -> String {
  drawable.dot(options: options)
}

/// `drawable`'s picture as SVG, laid out by Graphviz in this process.
public func renderSVG(_ drawable: some Drawable, options: VizOptions = VizOptions()) throws(VizError) -> Data {
  try drawable.renderedSVG(options: options)
}

/// `drawable`'s picture as PNG, laid out by Graphviz in this process.
///
/// A program of more than a page of instructions is laid out as one graph
/// packed by Graphviz, which takes far longer than ``renderSVG(_:options:)``
/// (tens of seconds for thousands of instructions): draw those as SVG.
public func renderPNG(_ drawable: some Drawable, options: VizOptions = VizOptions()) throws(VizError) -> Data {
  try render(dot: drawable.dot(options: options), format: .png)
}

/// DOT text laid out by Graphviz's `dot` engine and rendered in `format`.
///
/// Throws ``VizError/invalidGraph(_:)`` with Graphviz's message when the text
/// is not a graph. Safe to call from many threads: renders take turns.
public func render(dot: String, format: ImageFormat) throws(VizError) -> Data {
  try Graphviz.render(dot, format: format.rawValue)
}

/// Checks that `dot` parses as a graph, without laying it out.
public func checkDOT(_ dot: String) throws(VizError) {
  try Graphviz.check(dot)
}

/// Writes `drawable`'s picture as SVG to `path`, atomically: a reader sees
/// the old file or the whole new one, never a part.
public func writeSVG(_ drawable: some Drawable, to path: String, options: VizOptions = VizOptions()) throws(VizError) {
  try writePicture(renderSVG(drawable, options: options), to: path)
}

/// Writes `drawable`'s picture as PNG to `path`, atomically.
public func writePNG(_ drawable: some Drawable, to path: String, options: VizOptions = VizOptions()) throws(VizError) {
  try writePicture(renderPNG(drawable, options: options), to: path)
}
