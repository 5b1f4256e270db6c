/** Words that carry no topic in citizen messages: greetings, politeness, function words and complaint boilerplate. */

const CHINESE = (
  '您好 你好 尊敬 领导 市长 书记 同志 工作人员 老师 谢谢 感谢 麻烦 辛苦 请问 咨询 问下 问一下 请教 求助 帮助 帮忙 投诉 举报 反映 ' +
  '建议 希望 呼吁 恳请 恳求 请求 要求 诉求 来电 来信 留言 市民 本人 我们 你们 他们 她们 我家 自己 大家 有关 相关 部门 单位 政府 ' +
  '问题 情况 事情 事项 这个 那个 这些 那些 这样 那样 什么 怎么 怎么办 怎样 如何 为什么 为何 是否 能否 可否 可以 能够 应该 需要 ' +
  '已经 现在 目前 一直 还是 但是 可是 因为 所以 如果 虽然 而且 并且 然后 之后 以后 以前 之前 时候 期间 一下 一些 一个 一次 ' +
  '没有 不是 就是 还有 只是 非常 特别 十分 比较 实在 真的 确实 严重 影响 处理 解决 尽快 及时 落实 核实 调查 回复 答复 关注 重视 ' +
  '多次 几次 很多 很久 至今 仍然 依然 始终 到底 究竟 一样 哪里 哪儿 多少 多久 知道 了解 告诉 说明 表示 认为 觉得 发现 看到 ' +
  '给予 进行 通过 没人 无人 根本 完全 不能 不会 不要 不了 不到 的话 时间 今天 昨天 明天 最近 之类 等等 方面 对于 关于 其中 ' +
  '您们 请 吗 呢 吧 啊 呀 哦 嗯 的 了 是 在 我 你 他 她 它 也 都 还 就 给 把 被 和 与 及 或 么 要 能 会 有 没 不 很 太 又 再 才 ' +
  '去 来 到 说 让 对 从 向 为 以 这 那 个 些 等 着 过 得 地 之 其 而 但 如 若 已 该 此 每 各 某 被 由 于 上 下 里 中 后 前'
).split(' ');

const ENGLISH = (
  'hello hi dear thank thanks pleas please sir madam how what where when why which who whom whose can could would should ' +
  'need want get got know tell help ask question issu problem anyon someon someth anyth thing way also still again ' +
  'not no yes ok okay one there here just realli very much mani lot ' +
  'month year week day time night morning even today yesterday tomorrow next last ago alreadi sinc now onli even ' +
  'take make go come goe went say said told call tri use like see look keep let put give work live ' +
  'peopl person new old everi all more most other anoth same back well good bad right befor after until around ' +
  'nobodi everyon noth whi becaus'
).split(' ');

const STOP: ReadonlySet<string> = new Set([...CHINESE, ...ENGLISH]);

/** True for a (normalised, stemmed) word that says nothing about what a message is about. */
export function isTopicStopWord(word: string): boolean {
  return STOP.has(word);
}
