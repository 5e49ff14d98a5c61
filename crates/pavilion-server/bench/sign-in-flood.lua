-- wrk script for sign-in-flood.sh: wrong staff passwords, a different name each time (so only
-- the address and the hash bound can hold the flood), counting the statuses seen.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local threads = {}
local counter = 0
c201, c401, c429, c503, cother = 0, 0, 0, 0, 0

function setup(thread)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local body = string.format('{"name":"staff%d","password":"wrong password %d"}', counter % 5000, counter)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 201 then c201 = c201 + 1
  elseif status == 401 then c401 = c401 + 1
  elseif status == 429 then c429 = c429 + 1
  elseif status == 503 then c503 = c503 + 1
  else cother = cother + 1 end
end

function done(summary, latency, requests)
  local totals = { c201 = 0, c401 = 0, c429 = 0, c503 = 0, cother = 0 }
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + thread:get(key)
    end
  end
  io.write(string.format("statuses: 401=%d 429=%d 503=%d 201=%d other=%d\n",
    totals.c401, totals.c429, totals.c503, totals.c201, totals.cother))
end
