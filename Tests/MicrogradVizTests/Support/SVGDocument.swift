import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// An SVG picture parsed with Foundation's XML parser: what a reader of the
/// picture sees (texts and where), what the tooltips say, and the boxes of
/// the clusters.
struct SVGDocument {
  /// A `<text>` element: its content and anchor point.
  struct Text {
    var content: String
    var x: Double
    var y: Double
  }

  /// A `<g class="cluster">`: its DOT name (`cluster_i12`) and box.
  struct Cluster {
    var identifier = ""
    var minX = Double.infinity, maxX = -Double.infinity
    var minY = Double.infinity, maxY = -Double.infinity

    mutating func include(x: Double, y: Double) {
      (minX, maxX, minY, maxY) = (min(minX, x), max(maxX, x), min(minY, y), max(maxY, y))
    }

    func contains(_ text: Text) -> Bool {
      minX <= text.x && text.x <= maxX && minY <= text.y && text.y <= maxY
    }
  }

  /// Every `<text>` element, in document order.
  var texts: [Text] = []
  /// Every tooltip (`xlink:title` of a link), in document order.
  var tooltips: [String] = []
  /// The `<title>` of every `<g class="node">` (the DOT node identifiers).
  var nodeIdentifiers: [String] = []
  /// Every cluster.
  var clusters: [Cluster] = []
  /// The root element's name.
  var root = ""

  /// Parses `data`; records an issue and returns nil if it is not XML.
  init?(_ data: Data, sourceLocation: SourceLocation = #_sourceLocation) {
    let collector = Collector()
    let parser = XMLParser(data: data)
    parser.delegate = collector
    guard parser.parse() else {
      Issue.record("not XML: \(parser.parserError.map { "\($0)" } ?? "unknown error")", sourceLocation: sourceLocation)
      return nil
    }
    self = collector.document
  }

  fileprivate init() {}

  /// Whether some text of the picture contains `part`.
  func shows(_ part: String) -> Bool {
    texts.contains { $0.content.contains(part) }
  }

  /// The texts drawn inside `cluster`'s box (its label and its members').
  func texts(in cluster: Cluster) -> [String] {
    texts.filter(cluster.contains).map(\.content)
  }
}

/// Collects elements as the parser streams them.
private final class Collector: NSObject, XMLParserDelegate {
  var document = SVGDocument()
  /// The open `<g>` elements' classes, innermost last.
  private var groups: [String] = []
  /// How many groups were open, counting its own, when the open cluster began.
  private var clusterDepth: Int?
  private var text: SVGDocument.Text?
  private var title: String?

  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    if document.root.isEmpty { document.root = name }
    switch name {
    case "g":
      groups.append(attributes["class"] ?? "")
      if attributes["class"] == "cluster" {
        document.clusters.append(SVGDocument.Cluster())
        clusterDepth = groups.count
      }
    case "text":
      text = SVGDocument.Text(
        content: "", x: Double(attributes["x"] ?? "") ?? .nan, y: Double(attributes["y"] ?? "") ?? .nan)
    case "title": title = ""
    case "a":
      if let tooltip = attributes["xlink:title"] { document.tooltips.append(tooltip) }
    case "polygon" where clusterDepth != nil, "path" where clusterDepth != nil:
      // The outline: a polygon, or a path of curves for a rounded cluster.
      let numbers = (attributes["points"] ?? attributes["d"] ?? "").matches(of: /-?[0-9]+(\.[0-9]+)?/)
        .compactMap { Double($0.0) }
      for k in stride(from: 0, to: numbers.count - 1, by: 2) {
        document.clusters[document.clusters.count - 1].include(x: numbers[k], y: numbers[k + 1])
      }
    default: break
    }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    text?.content += string
    title? += string
  }

  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
    switch name {
    case "text":
      if let text { document.texts.append(text) }
      text = nil
    case "title":
      switch groups.last {
      case "node": document.nodeIdentifiers.append(title ?? "")
      case "cluster": document.clusters[document.clusters.count - 1].identifier = title ?? ""
      default: break
      }
      title = nil
    case "g":
      if groups.count == clusterDepth { clusterDepth = nil }
      groups.removeLast()
    default: break
    }
  }
}
