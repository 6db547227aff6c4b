--- `:checkhealth keel`: the binary, its version, and (from the running server, or from
--- `keel doctor` when none runs) whether the provider answers and the model is present.
local M = {}

local health = vim.health

--- Runs `cmd` and returns its stdout, or nil and why not.
local function run(cmd)
  local ok, process = pcall(vim.system, cmd, { text = true })
  if not ok then
    return nil, process
  end
  local result = process:wait(15000)
  if result.code ~= 0 then
    return nil, vim.trim((result.stderr or '') .. ' (exit ' .. tostring(result.code) .. ')')
  end
  return result.stdout
end

local function check_server(client)
  local response = client:request_sync('keel/status', nil, 5000, 0)
  if not response or response.err then
    local why = response and response.err and response.err.message or 'no answer in 5 s'
    health.error('keel/status failed: ' .. why)
    return
  end
  local status = response.result
  local provider = status.provider or 'none'
  if status.health == 'ok' then
    health.ok(('provider %s answers'):format(provider))
  else
    health.error(('provider %s: %s'):format(provider, status.health), {
      'Check [provider] in keel.toml or the settings passed to setup(); `keel doctor` says more.',
    })
  end
  if status.model then
    health.ok('model: ' .. status.model)
  else
    health.warn('no model configured', { 'Run `keel model fetch`, or set provider.model.' })
  end
end

local function check_doctor(exe)
  local report, err = run({ exe, 'doctor' })
  if not report then
    health.error('`keel doctor` failed: ' .. err)
    return
  end
  local in_model = false
  for line in vim.gsplit(report, '\n') do
    if line == 'model:' then
      in_model = true
    elseif in_model and line ~= '' then
      local text = vim.trim(line)
      if text:find('missing') or text:find('none') or text:find('fail') then
        health.warn(text)
      else
        health.info(text)
      end
    end
  end
end

function M.check()
  health.start('keel')
  if vim.fn.has('nvim-0.11') == 0 then
    health.error('Neovim 0.11 or later is needed (vim.lsp.config / vim.lsp.enable)')
    return
  end
  if not vim.lsp.inline_completion then
    health.warn('inline completion (ghost text) needs Neovim 0.12; completion items still work')
  end
  local cmd = require('keel').command()
  local exe = vim.fn.exepath(cmd[1])
  if exe == '' then
    health.error(('`%s` not found'):format(cmd[1]), {
      'Install it from a clone of Keel: `cargo install --path server` (puts keel in ~/.cargo/bin; put that on PATH)',
      "Or give its path: require('keel').setup({ cmd = { '/path/to/keel' } })",
    })
    return
  end
  health.ok('binary: ' .. exe)
  local version, err = run({ exe, '--version' })
  if version then
    health.ok('version: ' .. vim.trim(version))
  else
    health.error('`keel --version` failed: ' .. err)
  end
  local clients = vim.lsp.get_clients({ name = 'keel' })
  if #clients > 0 then
    check_server(clients[1])
  else
    health.info('Keel is not running: open a Python or Rust file for the live check. `keel doctor` says:')
    check_doctor(exe)
  end
end

return M
