; What the context builder needs besides definitions.
; @scope: a node whose header (signature) frames the code inside it.
; @import: a use declaration, shown to the model as it is; @module: the path it names.

(function_item) @scope
(impl_item) @scope
(trait_item) @scope
(mod_item) @scope

(use_declaration
  argument: (_) @module) @import

(extern_crate_declaration) @import
