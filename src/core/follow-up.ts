/** Recognises follow-up questions that lean on the previous answer ("需要什么材料?", "how much does it cost?"). */

export type Aspect = 'materials' | 'general';

const MATERIAL_CUES = /材料|证件|资料|带什么|带啥|要带|准备什么|准备啥|documents?|papers|bring|materials/;
const FOLLOW_UP_CUES =
  /材料|证件|资料|带|准备|多少钱|费用|收费|钱|在哪|哪里|哪儿|地址|地点|去哪|多久|几天|时间|几点|网址|链接|网上|流程|步骤|条件|要求|怎么办|需要|documents?|papers|bring|materials|cost|fee|how much|where|address|how long|when|hours|online|website|link|steps|requirements?/;
/** Words that carry no topic of their own: what remains after removing them tells whether the citizen named a new topic. */
const FILLER_ZH =
  /需要|什么|哪些|多少钱|多少|费用|收费|钱|在哪里|在哪儿|在哪|哪里|哪儿|地址|地点|去哪|多久|几天|时间|几点|网址|链接|网上|流程|步骤|条件|要求|怎么办|怎么|如何|办理|办|材料|证件|资料|带|准备|要|得|的|吗|呢|呀|啊|吧|那|还|有|我|请问|么|啥|可以|能|是/g;
const FILLER_EN =
  /\b(?:do|i|need|what|which|documents?|papers|to|bring|materials|how|much|does|it|cost|fees?|where|is|the|address|long|take|when|hours|online|website|link|steps|requirements?|are|and|about|that|for|a|an|of|can|you|me|tell|please|then)\b/g;

/** The aspect asked about when the message is a bare follow-up without a topic of its own; null otherwise. */
export function followUpAspect(normalized: string): Aspect | null {
  if (!FOLLOW_UP_CUES.test(normalized)) return null;
  const rest = normalized.replace(FILLER_EN, '').replace(FILLER_ZH, '').replace(/\s+/g, '');
  if (rest.length > 1) return null;
  return MATERIAL_CUES.test(normalized) ? 'materials' : 'general';
}
