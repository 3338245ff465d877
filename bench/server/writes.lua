-- wrk script: audited observation writes, POST /api/patients/{id}/observations.
-- Each wrk thread owns the patients BENCH-i with i % THREADS == thread id and
-- writes to them round-robin. The base revision of each write is the latest
-- revision this thread has seen answered for that patient (revision 1 is the
-- import), read from the server's answer, not predicted from a request count:
-- wrk may build a request it never sends (a reconnect), which would otherwise
-- shift every later base revision. A write to a patient is in flight at most
-- once per round over the thread's patients, so no write conflicts.
-- Environment: GW_PATIENTS (N), GW_TOKEN, GW_THREADS.
local N = tonumber(os.getenv("GW_PATIENTS"))
local THREADS = tonumber(os.getenv("GW_THREADS"))
local token = os.getenv("GW_TOKEN")
local counter = 0
local nthreads = 0
local rev = {}

function setup(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
end

function request()
  local per = math.floor(N / THREADS)
  local k = counter % per
  counter = counter + 1
  local i = (tid or 0) + THREADS * k + 1
  local id = string.format("BENCH-%05d", i)
  local base = rev[id] or 1
  local date = os.date("!%Y-%m-%d", 1735689600 + base * 86400)
  local body = string.format(
    '{"base_rev": %d, "observations": [{"date": "%s", "kind": "anc", "value": %.2f, "unit": "10^9/L"}]}',
    base, date, 1 + (counter % 300) / 100)
  return wrk.format("POST", "/api/patients/" .. id .. "/observations",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end

-- Learns each patient's new revision; a refused write fails the run
-- (run.sh) and is named here, on stderr.
function response(status, headers, body)
  if status >= 300 then
    io.stderr:write(string.format("write answered %d: %s\n", status, body))
    return
  end
  local id, r = string.match(body, '"patient"%s*:%s*"([^"]+)"%s*,%s*"rev"%s*:%s*(%d+)')
  if id then
    rev[id] = tonumber(r)
  end
end
