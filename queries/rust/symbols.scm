; Definitions Keel indexes and offers as context. @definition.<kind> is the whole
; definition (its range and signature come from it); @name is what it is looked up by.

(function_item
  name: (identifier) @name) @definition.function

(function_signature_item
  name: (identifier) @name) @definition.function

(struct_item
  name: (type_identifier) @name) @definition.struct

(union_item
  name: (type_identifier) @name) @definition.struct

(enum_item
  name: (type_identifier) @name) @definition.enum

(enum_variant
  name: (identifier) @name) @definition.variant

(trait_item
  name: (type_identifier) @name) @definition.trait

(impl_item
  type: [(type_identifier) @name
         (generic_type type: (type_identifier) @name)
         (scoped_type_identifier name: (type_identifier) @name)]) @definition.impl

(const_item
  name: (identifier) @name) @definition.constant

(static_item
  name: (identifier) @name) @definition.constant

(type_item
  name: (type_identifier) @name) @definition.type

(mod_item
  name: (identifier) @name) @definition.module

(macro_definition
  name: (identifier) @name) @definition.macro

(field_declaration
  name: (field_identifier) @name) @definition.field

; Names a module's `pub use` makes part of it: offered with the module's own definitions
; to a `use` of it. @reexport is the name the item has.
(source_file
  (use_declaration
    (visibility_modifier)
    argument: [(scoped_identifier name: (_) @reexport)
               (use_as_clause path: (scoped_identifier name: (_) @reexport))
               (scoped_use_list list: (use_list [(identifier) (type_identifier)] @reexport))
               (scoped_use_list list: (use_list (scoped_identifier name: (_) @reexport)))
               (scoped_use_list list: (use_list (use_as_clause path: (_) @reexport)))]))
