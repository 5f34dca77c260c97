import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Checks that the file at `path` exists and is well-formed XML whose root
/// element is `<svg>`, as a browser would need to show it.
func expectWellFormedSVG(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) {
  guard let data = FileManager.default.contents(atPath: path) else {
    Issue.record("no file at \(path)", sourceLocation: sourceLocation)
    return
  }
  let parser = XMLParser(data: data)
  let root = RootElement()
  parser.delegate = root
  let parsed = parser.parse()
  #expect(parsed, "\(path): \(parser.parserError.map { "\($0)" } ?? "not XML")", sourceLocation: sourceLocation)
  #expect(root.name == "svg", "\(path): root element \(root.name ?? "none")", sourceLocation: sourceLocation)
}

/// Remembers the name of the first element an XML parser meets.
private final class RootElement: NSObject, XMLParserDelegate {
  var name: String?

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    if name == nil { name = elementName }
  }
}
