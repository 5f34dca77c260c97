import Foundation
import Micrograd

extension Program: Drawable {
  /// The program as a graph: an instruction per node, coloured by section,
  /// each fused kernel a cluster of its ops, values' shapes on the edges.
  public func dot(options: VizOptions) -> String {
    var drawing = ProgramDrawing(program: self, options: options)
    drawing.draw()
    return drawing.joined()
  }

  /// The picture as SVG; a long program's pages are laid out one by one and
  /// placed side by side, which is much faster than Graphviz's packing.
  public func renderedSVG(options: VizOptions) throws(VizError) -> Data {
    var drawing = ProgramDrawing(program: self, options: options)
    drawing.draw()
    let pages = drawing.pageTexts()
    if pages.count == 1 { return try render(dot: pages[0], format: .svg) }
    var rendered: [Data] = []
    for page in pages { rendered.append(try render(dot: page, format: .svg)) }
    return try SVGPages.joining(rendered, direction: options.rankDirection)
  }
}
