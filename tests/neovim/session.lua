-- A user's session in real Neovim, driven as a user would: a headless `nvim` with its own
-- config (the plugin installed in the packpath, `require('keel').setup{...}` in init.lua)
-- receives keys over RPC from this script (`nvim -l`), which checks what the buffer shows.
-- Run by tests/tests/neovim.rs, which provides `keel` on PATH and a model server.
--
-- Exits 0 when every step passed, 1 (with the failing step and the LSP log) otherwise.

local env = vim.env
local home = assert(env.KEEL_TEST_HOME, 'KEEL_TEST_HOME')
local workspace = assert(env.KEEL_TEST_WORKSPACE, 'KEEL_TEST_WORKSPACE')
local plugin = assert(env.KEEL_TEST_PLUGIN, 'KEEL_TEST_PLUGIN')
local endpoint = assert(env.KEEL_TEST_ENDPOINT, 'KEEL_TEST_ENDPOINT')
local patience = 30000

local child_env = {
  XDG_CONFIG_HOME = home .. '/config',
  XDG_DATA_HOME = home .. '/data',
  XDG_STATE_HOME = home .. '/state',
  XDG_CACHE_HOME = home .. '/cache',
}

-- The plugin, installed as with plain packages: a directory under pack/*/start.
local pack = child_env.XDG_DATA_HOME .. '/nvim/site/pack/keel/start'
vim.fn.mkdir(pack, 'p')
vim.uv.fs_symlink(plugin, pack .. '/keel')
vim.fn.mkdir(child_env.XDG_CONFIG_HOME .. '/nvim', 'p')
vim.fn.writefile({
  "require('keel').setup({",
  '  settings = {',
  ("    provider = { kind = 'openai-completions', endpoint = %q, model = 'test-model' },"):format(
    endpoint
  ),
  '    completion = { debounce_ms = 0, item_deadline_ms = 20000 },',
  '  },',
  '})',
  "vim.o.completeopt = 'menuone,noinsert,popup'",
}, child_env.XDG_CONFIG_HOME .. '/nvim/init.lua')

local socket = home .. '/nvim.sock'
local job = vim.fn.jobstart({ vim.v.progpath, '--headless', '--listen', socket }, {
  cwd = workspace,
  env = child_env,
})
assert(job > 0, 'could not start nvim')

local chan
vim.wait(patience, function()
  local ok, id = pcall(vim.fn.sockconnect, 'pipe', socket, { rpc = true })
  chan = ok and id or nil
  return chan ~= nil
end, 50)
assert(chan, 'nvim did not listen on ' .. socket)

--- Runs Lua in the editor and returns its result.
local function lua(code, ...)
  return vim.rpcrequest(chan, 'nvim_exec_lua', code, { ... })
end

--- Types keys as a user does.
local function keys(text)
  vim.rpcrequest(chan, 'nvim_input', text)
end

local function log_file()
  return lua('return vim.lsp.log.get_filename()')
end

local function say(line)
  io.stdout:write(line, '\n')
end

local function fail(step, detail)
  io.stderr:write(('FAILED: %s\n%s\n'):format(step, detail or ''))
  local log = io.open(log_file(), 'r')
  if log then
    io.stderr:write('--- LSP log ---\n', log:read('*a'), '\n')
    log:close()
  end
  pcall(vim.rpcrequest, chan, 'nvim_command', 'qa!')
  os.exit(1)
end

--- Waits until `predicate` (Lua run in the editor) returns true.
local function wait_for(step, predicate, ...)
  local args = { ... }
  local last
  local ok = vim.wait(patience, function()
    last = lua(predicate, unpack(args))
    return last == true
  end, 50)
  if not ok then
    fail(step, 'last state: ' .. vim.inspect(last))
  end
  say('ok: ' .. step)
end

local function expect_line(step, n, want)
  wait_for(step, 'return vim.api.nvim_buf_get_lines(0, ...)[1] == select(3, ...)', n - 1, n, want)
end

vim.rpcrequest(chan, 'nvim_command', 'edit app.py')
wait_for(
  'Keel attaches through lsp/keel.lua and setup()',
  "return #vim.lsp.get_clients({ name = 'keel', bufnr = 0 }) == 1"
)

-- A diagnostic, and its quick fix with the cursor at the start of the flagged line.
wait_for(
  'the missing timeout is flagged on line 7',
  [[
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.code == 'py-http-no-timeout' and d.lnum == 6 then return true end
  end
  return vim.diagnostic.get(0)
]]
)
lua([[
vim.api.nvim_win_set_cursor(0, { 7, 0 })
vim.lsp.buf.code_action({
  apply = true,
  filter = function(action) return action.isPreferred end,
})
]])
wait_for(
  'the quick fix is offered at column 0 and applied',
  "return vim.api.nvim_buf_get_lines(0, 6, 7, true)[1]:find('timeout=', 1, true) ~= nil"
)

-- Ghost text on an empty line, accepted with Tab.
local ghost = [[
local ns = vim.api.nvim_create_namespace('nvim.lsp.inline_completion')
for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, { details = true })) do
  local shown = {}
  for _, chunk in ipairs(mark[4].virt_text or {}) do shown[#shown + 1] = chunk[1] end
  if table.concat(shown):find('json.load(f)', 1, true) then return true end
end
return vim.api.nvim_get_mode().mode
]]
lua('vim.api.nvim_win_set_cursor(0, { 12, 0 })')
keys('A')
wait_for('ghost text appears', ghost)
keys('<Tab>')
expect_line('Tab accepts the whole ghost text', 12, '        return json.load(f)')
keys('<Esc>')

-- A completion item, accepted through vim.lsp.completion: the whole suggestion goes in.
lua('vim.api.nvim_win_set_cursor(0, { 17, 0 })')
keys('A')
wait_for('ghost text at the second function', ghost)
keys('<C-x><C-o>')
wait_for('the completion menu shows Keel\'s item', 'return vim.fn.pumvisible() == 1')
keys('<C-y>')
expect_line('the accepted item inserts the whole suggestion', 17, '        return json.load(f)')
keys('<Esc>')

-- Keel pushes its state; :KeelStatus asks for the rest.
wait_for(
  'the pushed status is idle, with the provider and model',
  [[
  local status = require('keel').status()
  return status ~= nil and status.state == 'idle' and status.provider == 'openai-completions'
    and status.model == 'test-model' or status
]]
)
local status_ok = lua([[
local ok, err = pcall(vim.cmd, 'KeelStatus')
return ok or err
]])
if status_ok ~= true then
  fail(':KeelStatus', status_ok)
end

-- :checkhealth keel
vim.rpcrequest(chan, 'nvim_command', 'checkhealth keel')
local report = lua("return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\\n')")
if not report:find('OK binary', 1, true) or report:find('ERROR', 1, true) then
  fail(':checkhealth keel reports OK', report)
end
say('ok: :checkhealth keel reports OK')

-- A normal session leaves no error in the LSP log (it records a server's stderr as errors).
vim.rpcrequest(chan, 'nvim_command', 'tabclose')
local log = table.concat(vim.fn.readfile(log_file()), '\n')
if log:find('[ERROR]', 1, true) then
  fail('the LSP log has no [ERROR] line', log)
end
say('ok: the LSP log has no [ERROR] line')

pcall(vim.rpcrequest, chan, 'nvim_command', 'qa!')
vim.fn.jobwait({ job }, 5000)
say('neovim session: all steps passed')
