-- kbundle: Argo CD health of a CFK KafkaTopic (platform.confluent.io/v1beta1), Lua 5.1 as Argo CD's
-- gopher-lua runs it. CFK reports status.appState (Unknown | Created | Failed | Deleted),
-- status.state and status.conditions; status.observedGeneration lags metadata.generation until
-- CFK has acted on the latest spec.
local hs = {}
if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  hs.message = "Pending deletion"
  if obj.metadata.finalizers ~= nil and #obj.metadata.finalizers > 0 then
    hs.message = "Pending deletion; blocked by finalizers: " .. table.concat(obj.metadata.finalizers, ", ")
  end
  return hs
end
local function condition_message(status)
  if status.conditions ~= nil then
    for _, c in ipairs(status.conditions) do
      if c.message ~= nil and c.message ~= "" and c.status ~= "True" then
        return c.message
      end
    end
    for _, c in ipairs(status.conditions) do
      if c.message ~= nil and c.message ~= "" then
        return c.message
      end
    end
  end
  return nil
end
local status = obj.status
if status ~= nil then
  if status.appState == "Failed" or status.state == "ERROR" then
    hs.status = "Degraded"
    hs.message = condition_message(status) or "CFK could not apply the topic"
    return hs
  end
  local generation = obj.metadata and obj.metadata.generation
  local stale = generation ~= nil and status.observedGeneration ~= nil and status.observedGeneration < generation
  if status.appState == "Created" and not stale then
    hs.status = "Healthy"
    hs.message = "KafkaTopic created"
    return hs
  end
end
hs.status = "Progressing"
hs.message = "Waiting for CFK to apply the topic"
return hs
