/* Customer psychology (投诉心理, DOMAIN §8): the seven tags and their handling advice,
 * written in our own words from seeds 002 and 004. Pure data. */
#include "core/psychology.h"

#include <string.h>

const ts_psychology ts_psychologies[] = {
  {"respect", "求尊重", "Wants respect",
   "客户希望自己和所反映的问题被当回事。要专心接待、及时致歉、尽快行动,并按约定回复进展。"
   "即使客户有说错的地方,也要给对方留台阶,不当面纠正或让其难堪;切忌冷淡、敷衍或互相推诿。",
   "The customer wants to be taken seriously and to see the problem treated as important. "
   "Give full attention, apologise promptly, act quickly and report back when promised. "
   "If the customer is partly wrong, let them save face rather than correcting them bluntly; "
   "never be cold, dismissive or pass them from desk to desk."},
  {"vent", "求发泄", "Wants to vent",
   "客户心里憋着怨气,需要先把不满说出来才能平静。让对方把话说完,耐心倾听并适时回应表示在听,"
   "不打断、不辩解、不争吵,即使言辞过激也保持冷静。等情绪缓和后,再核实事实、商量解决办法。",
   "The customer is full of frustration and needs to get it out before calming down. "
   "Let them finish, listen patiently and show you are following, without interrupting, "
   "arguing or defending yourself; stay calm even if the words are harsh. "
   "Only once the anger has eased, move on to the facts and a solution."},
  {"compensation", "求补偿", "Wants compensation",
   "客户认为权益受损,想得到弥补,既包括钱物,也包括精神上的安抚。先核实要求是否合理、"
   "属偶发还是惯常:合理的在权限内酌情解决并提醒今后如何避免,不能满足的要讲清原因。"
   "无论结果如何,都要用倾听、共情和适当道歉安抚情绪;期望越急切,越要防止投诉升级。",
   "The customer feels their interests were harmed and wants it made good, in money or goods "
   "but also emotionally. Check whether the claim is reasonable and a one-off or a habit; if it "
   "is fair, settle it within your authority and explain how to avoid a repeat, if not, explain "
   "clearly why. Either way, soothe them by listening, empathy and a fitting apology; the more "
   "urgent the demand, the higher the risk of escalation."},
  {"balance", "求平衡", "Wants balance",
   "客户觉得付出与所得不对等,或感到被区别对待,想找回心理上的平衡和应有的体面。"
   "要承认其感受有道理,一视同仁、以礼相待,在职责范围内给予适度的补偿或心意,让对方觉得公平。"
   "避免说“这很正常”“别人都没意见”之类轻视对方的话。",
   "The customer feels that what they got does not match what they gave, or that they were "
   "treated worse than others, and wants fairness and dignity restored. Acknowledge the feeling, "
   "treat them courteously and on an equal footing, and within your authority offer a modest "
   "gesture so the outcome feels fair. Avoid belittling remarks such as saying it is normal or "
   "that nobody else has complained."},
  {"recognition", "求认同", "Wants recognition",
   "客户急于证明自己的投诉有道理,希望被理解和肯定。要充分认同其感受和解决问题的愿望,"
   "比如请对方坐下慢慢说、一起商量办法,并感谢其意见。但认同情绪不等于认同要求,"
   "不要轻易接受对方提出的处理方案;对方有不当之处时,委婉地给台阶。",
   "The customer wants to prove the complaint is justified and to be understood. Affirm their "
   "feelings and their wish to get it fixed, for example by inviting them to sit down and work "
   "out a solution together, and thank them for the feedback. Agreeing with the feelings is not "
   "agreeing with the demand: do not accept their proposed remedy on the spot, and if they are "
   "partly wrong, give them a graceful way out."},
  {"expertise", "表现", "Wants to show expertise",
   "客户借投诉显示自己有见识,既在批评,也在提建议、当老师,同时很在意形象和尊严。"
   "要虚心听取,真诚称赞其见解和建议,把对方当作帮我们改进的行家,引导其以有身份、讲道理的方式解决问题。"
   "不要与之争高下、挑错或作负面评价。",
   "The customer uses the complaint to show what they know, criticising but also advising and "
   "teaching, and cares about keeping face. Listen humbly, sincerely praise their insight and "
   "suggestions, and treat them as an expert helping you improve; steer them towards settling "
   "it as a reasonable, respectable person. Do not compete with them, pick holes in what they "
   "say, or judge them negatively."},
  {"revenge", "报复", "Seeks revenge",
   "当客户的预期与企业的答复相差太大,或在发泄时再次受到刺激,就可能转向找媒体曝光等报复做法。"
   "要尽早弄清对方的真实预期,坦诚说明能做和不能做的,缩小差距;全程冷静克制,不激化、不还击。"
   "及时请上级介入,如实记录事实和沟通经过,并按承诺跟进回复。",
   "When the customer's expectations are far from what the company offers, or they are provoked "
   "again while venting, they may turn to retaliation such as going to the media. Find out early "
   "what they really expect and be honest about what can and cannot be done; stay calm and never "
   "escalate or hit back. Bring in a supervisor promptly, record the facts and every contact "
   "accurately, and follow up as promised."},
};

const int ts_psychologies_count = (int)(sizeof ts_psychologies / sizeof ts_psychologies[0]);

const ts_psychology *ts_psychology_find(const char *tag) {
  if (!tag)
    return NULL;
  for (int i = 0; i < ts_psychologies_count; i++)
    if (strcmp(ts_psychologies[i].tag, tag) == 0)
      return &ts_psychologies[i];
  return NULL;
}
