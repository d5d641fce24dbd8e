"""The bookmarklets' code, with this site's address in it (printed escaped into an href or a textarea)."""

from __future__ import annotations

from django import template
from django.http import HttpRequest
from django.urls import reverse

register = template.Library()

# "Save this page as I see it", run in the reader's page. It copies the page as it is now (the
# DOM without its scripts, the images the page may read inlined up to a budget, since they may
# need the reader's cookies, and the rules of the stylesheets it may read), opens linkhome's
# receiving window and hands the copy over by postMessage, only to that window and only to
# linkhome's origin, once the window says it is ready. Nothing is sent anywhere else.
_AS_I_SEE_IT = (
    "javascript:(function(){{"
    "var O='{origin}',u=location.href;"
    "var w=window.open(O+'{path}?url='+encodeURIComponent(u),'linkhome_page',"
    "'width=560,height=680,resizable=yes,scrollbars=yes');"
    "if(!w){{alert('{blocked}');return;}}"
    "var c=document.documentElement.cloneNode(true);"
    "var m=document.images,q=c.querySelectorAll('img'),b=5e6;"
    "for(var k=0;k<m.length&&k<q.length;k++){{var g=m[k];if(!g.complete||!g.naturalWidth)continue;"
    "try{{var v=document.createElement('canvas');v.width=g.naturalWidth;v.height=g.naturalHeight;"
    "v.getContext('2d').drawImage(g,0,0);var x=v.toDataURL();if(x.length>b)continue;b-=x.length;"
    "q[k].src=x;q[k].removeAttribute('srcset');}}catch(e){{}}}}"
    "c.querySelectorAll('script,noscript').forEach(function(e){{e.remove();}});"
    "var s='';"
    "for(var i=0;i<document.styleSheets.length;i++){{var n=document.styleSheets[i];"
    "if(!n.ownerNode||n.ownerNode.tagName!=='LINK')continue;"
    "try{{for(var j=0;j<n.cssRules.length;j++)s+=n.cssRules[j].cssText+'\\n';}}catch(e){{}}}}"
    "if(s){{var t=document.createElement('style');t.textContent=s;(c.querySelector('head')||c).appendChild(t);}}"
    "var h='<!DOCTYPE html>'+c.outerHTML,d=document.title;"
    "window.addEventListener('message',function(e){{"
    "if(e.source!==w||e.origin!==O||!e.data||e.data.type!=='linkhome:ready')return;"
    "w.postMessage({{type:'linkhome:page',url:u,title:d,html:h}},O);}});"
    "}})();"
)


@register.simple_tag
def as_i_see_it_bookmarklet(request: HttpRequest, blocked_message: str) -> str:
    """The "save this page as I see it" bookmarklet for this site; autoescaped where it is printed."""
    origin = f"{request.scheme}://{request.get_host()}"
    safe_message = blocked_message.replace("\\", "").replace("'", "’")
    return _AS_I_SEE_IT.format(origin=origin, path=reverse("snapshots:page_receive"), blocked=safe_message)
