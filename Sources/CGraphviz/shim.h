// Graphviz's C interface (libgvc, libcgraph); the include path comes from pkg-config `libgvc`.
#include <graphviz/gvc.h>
#include <graphviz/cgraph.h>

// `Agdirected` is a mutable C global, which Swift 6 rejects as not
// concurrency-safe; this opens a directed graph without naming it in Swift.
static inline Agraph_t *cgraphviz_open_directed(char *name) {
  return agopen(name, Agdirected, NULL);
}
