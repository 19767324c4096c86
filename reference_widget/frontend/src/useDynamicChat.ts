// The React face of ChatController: one controller per mounted widget, its
// state read with useSyncExternalStore, started on mount and disposed on unmount.

import { useEffect, useState, useSyncExternalStore } from "react";
import { ChatController, type ChatOptions, type ChatState } from "./chatController";
import type { ChatMessage } from "./api";

export type { SyncStatus, Toast, ToastTitle, Guidance, DisplayMessage, ChatState } from "./chatController";

export type DynamicChat = ChatState & {
  sessionId: string;
  /** Rejects with a ChatRequestError: status, requestId, category, reason, cause. */
  fetchHistory: () => Promise<ChatMessage[]>;
  sendMessage: (text: string) => Promise<void>;
  retryConnection: () => Promise<void>;
  reset: () => void;
  setDraft: (draft: string) => void;
  dismissToast: (id: number) => void;
};

export function useDynamicChat(options: Partial<ChatOptions> = {}): DynamicChat {
  // Options are read once, when the widget mounts, like the production hook.
  const [controller] = useState(() => new ChatController(options));
  const state = useSyncExternalStore(controller.subscribe, controller.getState);
  useEffect(() => {
    controller.start();
    return controller.dispose;
  }, [controller]);
  return {
    ...state,
    sessionId: controller.sessionId,
    fetchHistory: controller.fetchHistory,
    sendMessage: controller.sendMessage,
    retryConnection: controller.retryConnection,
    reset: controller.reset,
    setDraft: controller.setDraft,
    dismissToast: controller.dismissToast,
  };
}
