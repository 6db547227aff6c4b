if vim.g.loaded_keel then
  return
end
vim.g.loaded_keel = true

vim.api.nvim_create_user_command('KeelStatus', function()
  require('keel').show_status()
end, { desc = 'Keel: show the provider, model, health and counters' })
