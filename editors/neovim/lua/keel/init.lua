--- Keel for Neovim: options over `lsp/keel.lua`, inline completion with an accept key,
--- Keel's completion items through `vim.lsp.completion`, and the server's pushed status.
local M = {}

local defaults = {
  --- The server command; `keel` on PATH unless set (e.g. `{ '/path/to/keel' }`).
  cmd = nil,
  filetypes = { 'python', 'rust' },
  --- keel.toml sections (`provider`, `completion`, `context`, `diagnostics`, `actions`,
  --- `privacy`),
  --- sent as initializationOptions and as settings.
  settings = {},
  --- Ghost text from `textDocument/inlineCompletion` (Neovim 0.12+).
  inline = true,
  --- Insert-mode key that accepts the ghost text; without ghost text it does what it does
  --- without Keel. `false` for no mapping.
  accept_key = '<Tab>',
  --- Keel's completion items through `vim.lsp.completion` (<C-x><C-o>), inserted whole.
  items = true,
  --- Call `vim.lsp.enable('keel')` from setup().
  enable = true,
}

M.options = vim.deepcopy(defaults)

--- The last state Keel pushed, per client id.
local statuses = {}

--- Sets options and enables the server.
---@param opts? table see `defaults` above
function M.setup(opts)
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  local config = {
    filetypes = M.options.filetypes,
    init_options = M.options.settings,
    settings = { keel = M.options.settings },
  }
  if M.options.cmd then
    config.cmd = type(M.options.cmd) == 'string' and { M.options.cmd } or M.options.cmd
  end
  vim.lsp.config('keel', config)
  if M.options.enable then
    vim.lsp.enable('keel')
  end
end

--- The command that starts the server, as configured.
---@return string[]
function M.command()
  local config = vim.lsp.config.keel or {}
  local cmd = config.cmd
  if type(cmd) == 'table' and cmd[1] then
    return cmd
  end
  return { 'keel' }
end

--- Called when Keel attaches to a buffer (from `lsp/keel.lua`).
---@param client vim.lsp.Client
---@param bufnr integer
function M.attach(client, bufnr)
  local options = M.options
  if options.items then
    vim.lsp.completion.enable(true, client.id, bufnr, { autotrigger = false })
  end
  if options.inline and vim.lsp.inline_completion then
    vim.lsp.inline_completion.enable(true, { bufnr = bufnr })
    local key = options.accept_key
    if key then
      vim.keymap.set('i', key, function()
        if not vim.lsp.inline_completion.get({ bufnr = bufnr }) then
          return key
        end
      end, { buffer = bufnr, expr = true, desc = 'Keel: accept the suggestion' })
    end
  end
end

---@param status table `{ state, message, provider, model }`
---@param client_id integer
function M.on_status(status, client_id)
  statuses[client_id] = status
  vim.api.nvim_exec_autocmds('User', { pattern = 'KeelStatus', data = status })
end

--- The last state Keel pushed for the current buffer's server: `{ state = 'idle' |
--- 'thinking' | 'error', message, provider, model }`, or nil.
---@param bufnr? integer
function M.status(bufnr)
  for _, client in ipairs(vim.lsp.get_clients({ name = 'keel', bufnr = bufnr or 0 })) do
    if statuses[client.id] then
      return statuses[client.id]
    end
  end
end

--- A short text for a statusline: `keel: idle`, `keel: thinking`, `keel: error`.
function M.statusline()
  local status = M.status()
  return status and ('keel: ' .. status.state) or ''
end

--- `:KeelStatus`: asks the server for `keel/status` and shows it.
function M.show_status()
  local clients = vim.lsp.get_clients({ name = 'keel', bufnr = 0 })
  if #clients == 0 then
    vim.notify('Keel is not attached to this buffer', vim.log.levels.WARN)
    return
  end
  clients[1]:request('keel/status', nil, function(err, status)
    if err then
      vim.notify('keel/status: ' .. err.message, vim.log.levels.ERROR)
      return
    end
    local lines = {
      ('provider: %s'):format(status.provider or 'none'),
      ('model: %s'):format(status.model or 'none'),
      ('health: %s'):format(status.health),
      ('requests: %d, model calls: %d, cache hits: %d, cancelled: %d, errors: %d'):format(
        status.requests,
        status.providerCalls,
        status.cacheHits,
        status.cancellations,
        status.errors
      ),
      ('time in Keel (model excluded): p50 %.1f ms, p99 %.1f ms'):format(
        status.latencyMs.p50,
        status.latencyMs.p99
      ),
    }
    vim.notify(table.concat(lines, '\n'), vim.log.levels.INFO)
  end, 0)
end

return M
