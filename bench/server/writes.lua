-- wrk script: audited observation writes, POST /api/patients/{id}/observations.
-- Each wrk thread owns the patients BENCH-i with i % THREADS == thread id and
-- writes to them round-robin; the base revision of the r-th write to a
-- patient is r (revision 1 is the import), so no write conflicts while every
-- previous write to the patient has completed (N/threads requests earlier).
-- Environment: GW_PATIENTS (N), GW_TOKEN, GW_THREADS.
local N = tonumber(os.getenv("GW_PATIENTS"))
local THREADS = tonumber(os.getenv("GW_THREADS"))
local token = os.getenv("GW_TOKEN")
local counter = 0
local tid = 0
local nthreads = 0

function setup(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
end

function request()
  local per = math.floor(N / THREADS)
  local k = counter % per
  local round = math.floor(counter / per)
  counter = counter + 1
  local i = tid + THREADS * k + 1
  local id = string.format("BENCH-%05d", i)
  local date = os.date("!%Y-%m-%d", 1735689600 + round * 86400)
  local body = string.format(
    '{"base_rev": %d, "observations": [{"date": "%s", "kind": "anc", "value": %.2f, "unit": "10^9/L"}]}',
    round + 1, date, 1 + (counter % 300) / 100)
  return wrk.format("POST", "/api/patients/" .. id .. "/observations",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
