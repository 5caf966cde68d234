// Deno entry: reads the .wasm next to the glue and instantiates it at import.
import { initSync, __setup } from "../pkg/aligate.js";
import { AligateError, replacer } from "./core.mjs";

initSync({ module: Deno.readFileSync(new URL("../pkg/aligate_bg.wasm", import.meta.url)) });
__setup(AligateError, replacer);

export const init = async () => {};
export { AligateError };
export {
  TopClient, LinkedMallClient, CommissionStatusChangeRequest, LianbeiOrderNoticeRequest, FundsFlowNotifyRequest,
  ConfirmDisburseRequest, signTop, signAliyunRpc, topTimestamp, validateParams, validateWire, modelledApis, decodeResponse,
} from "../pkg/aligate.js";
