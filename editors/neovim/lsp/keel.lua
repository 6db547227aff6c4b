-- Keel's language server for Neovim 0.11+. On the runtimepath, `vim.lsp.enable('keel')`
-- uses it as is; `require('keel').setup(opts)` adds options over it.
return {
  cmd = { 'keel' },
  filetypes = { 'python', 'rust' },
  root_markers = { 'keel.toml', '.git' },
  on_attach = function(client, bufnr)
    require('keel').attach(client, bufnr)
  end,
  handlers = {
    -- Keel pushes its state (idle, thinking, error) whenever it changes.
    ['keel/status'] = function(_, status, ctx)
      require('keel').on_status(status, ctx.client_id)
    end,
  },
}
