// Browser entry (also the fallback for bundlers): `await init()` fetches the
// .wasm next to the glue, or takes a URL / Response / bytes / Module.
import initWasm, * as wasm from "../pkg/aligate.js";
import { install, defineClasses, AligateError, unmodelled } from "./core.mjs";
import { credentialsApi } from "./credentials.mjs";

const api = {};
let ready;
export function init(input) {
  ready ??= initWasm(input === undefined ? undefined : { module_or_path: input }).then(
    (raw) => {
      Object.assign(api, install(wasm, raw));
    },
    (e) => {
      // A failed fetch of the .wasm is often transient: let the next init() try again.
      ready = undefined;
      throw e;
    },
  );
  return ready;
}

// Classes are defined before init (their methods need the instance only when
// called); functions are guarded wrappers.
export { AligateError, unmodelled };
export const { TopClient, LinkedMallClient, CommissionStatusChangeRequest, LianbeiOrderNoticeRequest, FundsFlowNotifyRequest,
  ConfirmDisburseRequest } = defineClasses(wasm);
export const signTop = (...a) => api.signTop(...a);
export const signAliyunRpc = (...a) => api.signAliyunRpc(...a);
export const topTimestamp = (...a) => api.topTimestamp(...a);
export const validateParams = (...a) => api.validateParams(...a);
export const validateWire = (...a) => api.validateWire(...a);
export const modelledApis = (...a) => api.modelledApis(...a);
export const protocolOf = (...a) => api.protocolOf(...a);
export const decodeResponse = (...a) => api.decodeResponse(...a);
export const __scrub = (...a) => api.__scrub(...a);
// Environment (`env`) → credentials URI, and AssumeRole: over fetch (js/credentials.mjs).
export const { defaultCredentials, fromEnv, fromCredentialsUri, assumeRole, assumeRoleWithOIDC, chainCredentials } =
  credentialsApi({ LinkedMallClient, decodeResponse });
/** Node only (files, instance metadata): undefined here. */
export const fromOidcRole = undefined, fromCliProfile = undefined, fromProfileFile = undefined, fromEcsMetadata = undefined;
