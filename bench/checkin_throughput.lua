-- wrk script for bench/checkin_throughput.py: POST election-day check-ins.
--
-- wrk -s checkin_throughput.lua URL -- MODE THREADS FILE [BURST [PREFIX]]
--
-- MODE "distinct": FILE has one "iin pec token" line per voter; thread t sends the voters
-- t, t+THREADS, t+2*THREADS, ... (each once, with its own client_id) as the voter's home PEC's
-- operator. Past the end of the file it starts again (those answers are retries, counted
-- apart by the benchmark, which sizes the register so that this does not happen).
--
-- MODE "race": FILE has "iin" lines (the voters to fight over) and "@pec token" lines (PECs
-- designated for election-day registration, with their operators' tokens). Each thread sends
-- BURST consecutive requests for the same voter, each from another PEC, as supplementary
-- registrations: with BURST connections per thread, about THREADS*BURST check-ins of one
-- person are in flight at once, from as many PECs.

local threads = {}
local counter = 0

function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function init(args)
   mode = args[1]
   nthreads = tonumber(args[2])
   burst = tonumber(args[4] or "50")
   prefix = args[5] or "c"  -- each phase its own client_ids: a late answer of one phase
                            -- must not collide with the next
   rows = {}
   pecs = {}
   for line in io.lines(args[3]) do
      if line:sub(1, 1) == "@" then
         local pec, token = line:match("^@(%S+) (%S+)")
         pecs[#pecs + 1] = { pec, token }
      else
         local iin, pec, token = line:match("^(%S+) ?(%S*) ?(%S*)")
         rows[#rows + 1] = { iin, pec, token }
      end
   end
   k = 0
   statuses = {}
   path = wrk.path
end

function request()
   local body, token
   if mode == "race" then
      local voter = rows[(math.floor(k / burst) % #rows) + 1]
      local site = pecs[((tid * burst + k) % #pecs) + 1]
      token = site[2]
      body = '{"pec":"' .. site[1] .. '","iin":"' .. voter[1] .. '","client_id":"' .. prefix .. '-' .. tid
         .. '-' .. k .. '","supplementary":true}'
   else
      local i = (tid + k * nthreads) % #rows + 1
      local row = rows[i]
      token = row[3]
      body = '{"pec":"' .. row[2] .. '","iin":"' .. row[1] .. '","client_id":"' .. prefix .. '-' .. i .. '"}'
   end
   k = k + 1
   return wrk.format("POST", path, {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. token,
   }, body)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      local seen = thread:get("statuses")
      for status, n in pairs(seen) do
         total[status] = (total[status] or 0) + n
      end
      local sent = thread:get("k")
      total["sent"] = (total["sent"] or 0) + sent
   end
   for status, n in pairs(total) do
      io.write(string.format("status %s %d\n", status, n))
   end
end
