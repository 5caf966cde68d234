// Browser entry (also the fallback for bundlers): `await init()` fetches the
// .wasm next to the glue, or takes a URL / Response / bytes / Module.
import initWasm, * as wasm from "../pkg/aligate.js";
import { AligateError, install } from "./core.mjs";

let ready;
export function init(input) {
  ready ??= initWasm(input === undefined ? undefined : { module_or_path: input }).then(() => {
    install(wasm);
  });
  return ready;
}

export { AligateError };
export {
  TopClient, LinkedMallClient, CommissionStatusChangeRequest, LianbeiOrderNoticeRequest, FundsFlowNotifyRequest,
  ConfirmDisburseRequest, signTop, signAliyunRpc, topTimestamp, validateParams, validateWire, modelledApis, decodeResponse,
} from "../pkg/aligate.js";
